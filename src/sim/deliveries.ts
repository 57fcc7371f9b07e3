import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { epochSeconds } from './clock.js';
import { SimError } from './errors.js';
import type { FaultRegistry } from './faults.js';
import { signDelivery } from './signing.js';
import type { SimulatorState, WebhookRecord } from './state.js';

/** Attempts per delivery, as Xurrent: the first one plus 9 retries. */
export const MAX_ATTEMPTS = 10;
/** Consecutive failed attempts after which Xurrent disables a webhook. */
export const DISABLE_AFTER_FAILURES = 20;
/** Delay before the first retry; each later retry waits twice as long as the one before. */
const BASE_RETRY_DELAY_MS = 10_000;
/** How long a delivery held back by an out-of-order fault waits for a next delivery to overtake it. */
const HOLD_TIMEOUT_MS = 1000;
const MAX_RECORDED_RESPONSE_CHARS = 4096;
const USER_AGENT = 'xurrent/1.0 (https://developer.xurrent.com/v1/webhooks)';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** One event for one webhook: sent once, retried on failure. */
export interface DeliveryCall {
  callId: number;
  webhookId: number;
  event: string;
  data: Record<string, unknown>;
  link: string;
  /** X-Xurrent-Delivery of the first attempt; sent as X-Xurrent-Delivery-Origin on retries. */
  originDeliveryId: string | null;
  attempts: number;
}

/** One HTTP request to a webhook, as stored in Xurrent's "Webhook Delivery" records. */
export interface DeliveryAttempt {
  /** X-Xurrent-Delivery of this request. */
  deliveryId: string;
  /** X-Xurrent-Delivery-Origin: the first attempt's delivery id, null on a first attempt. */
  originDeliveryId: string | null;
  callId: number;
  attempt: number;
  webhookId: number;
  accountId: string;
  event: string;
  uri: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  /** The data object, i.e. the body without a policy or the JWT's `data` claim with one. */
  data: Record<string, unknown>;
  signed: boolean;
  responseStatus: number | null;
  responseBody: string | null;
  /** Network error or refusal, when no HTTP response came back. */
  error: string | null;
  ok: boolean;
  startedAt: number;
  durationMs: number;
  /** True for the second copy sent by a duplicate fault. */
  duplicate: boolean;
  /** True when an out-of-order fault held this attempt back behind the next delivery. */
  heldBack: boolean;
}

export interface DeliveryFilter {
  webhookId?: number;
  event?: string;
  /** Account that owns the webhook. */
  accountId?: string;
  /** `payload.customer_account_id` of the data. */
  customerAccountId?: string;
  ok?: boolean;
  attempt?: number;
  callId?: number;
}

export type DeliveryPredicate = (attempt: DeliveryAttempt) => boolean;

interface Waiter {
  matches: DeliveryPredicate;
  resolve: (attempt: DeliveryAttempt) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface QueuedAttempt {
  call: DeliveryCall;
  heldBack: boolean;
}

export function matchesFilter(attempt: DeliveryAttempt, filter: DeliveryFilter): boolean {
  const payload = attempt.data.payload as Record<string, unknown> | undefined;
  return (
    (filter.webhookId === undefined || attempt.webhookId === filter.webhookId) &&
    (filter.event === undefined || attempt.event === filter.event) &&
    (filter.accountId === undefined || attempt.accountId === filter.accountId) &&
    (filter.customerAccountId === undefined || payload?.customer_account_id === filter.customerAccountId) &&
    (filter.ok === undefined || attempt.ok === filter.ok) &&
    (filter.attempt === undefined || attempt.attempt === filter.attempt) &&
    (filter.callId === undefined || attempt.callId === filter.callId)
  );
}

/**
 * Sends webhook deliveries one at a time in queue order, so callers choose the order in
 * which a receiver gets events. Retries rejoin the queue when due.
 */
export class DeliverySender {
  retrySpeedFactor: number;
  timeoutMs: number;

  private readonly attempts: DeliveryAttempt[] = [];
  private readonly queue: QueuedAttempt[] = [];
  private readonly held: QueuedAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<Waiter>();
  private readonly inFlight = new Set<AbortController>();
  private holdTimer: NodeJS.Timeout | null = null;
  private draining = false;
  private closed = false;
  private callSequence = 0;

  constructor(
    private readonly deps: { state: SimulatorState; faults: FaultRegistry; logger: Logger },
    options: { retrySpeedFactor: number; timeoutMs: number },
  ) {
    this.retrySpeedFactor = options.retrySpeedFactor;
    this.timeoutMs = options.timeoutMs;
  }

  /** Queues the first attempt of a new delivery and returns its call id. */
  send(input: { webhookId: number; event: string; data: Record<string, unknown>; link: string }): number {
    const call: DeliveryCall = { ...input, callId: ++this.callSequence, originDeliveryId: null, attempts: 0 };
    this.push({ call, heldBack: false });
    return call.callId;
  }

  list(filter: DeliveryFilter = {}): DeliveryAttempt[] {
    return this.attempts.filter((attempt) => matchesFilter(attempt, filter));
  }

  clear(): void {
    this.attempts.length = 0;
  }

  /** Resolves with the first recorded attempt that matches, including one recorded before the call. */
  waitFor(matches: DeliveryPredicate, timeoutMs: number): Promise<DeliveryAttempt> {
    const existing = this.attempts.find(matches);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new SimError(
              'SIM_TIMEOUT',
              `No matching delivery within ${timeoutMs} ms; ${this.attempts.length} attempts were recorded (see deliveries()).`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** True while deliveries are queued, held, in flight or waiting for a retry. */
  get busy(): boolean {
    return this.draining || this.queue.length > 0 || this.held.length > 0 || this.timers.size > 0;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    for (const controller of this.inFlight) controller.abort();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new SimError('SIM_TIMEOUT', 'The simulator closed before a matching delivery was recorded.'));
    }
    this.waiters.clear();
    this.queue.length = 0;
    this.held.length = 0;
  }

  private push(item: QueuedAttempt): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.holdTimer) {
      clearTimeout(this.holdTimer);
      this.holdTimer = null;
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const item = this.queue.shift() as QueuedAttempt;
        if (item.call.attempts === 0 && !item.heldBack && this.shouldHoldBack(item.call)) {
          this.held.push({ call: item.call, heldBack: true });
          continue;
        }
        await this.attempt(item);
        // A held delivery goes right after the delivery that overtook it.
        if (this.held.length > 0 && !item.heldBack) this.queue.unshift(...this.held.splice(0));
      }
    } finally {
      this.draining = false;
    }
    if (this.held.length > 0 && !this.closed) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        this.queue.push(...this.held.splice(0));
        void this.drain();
      }, HOLD_TIMEOUT_MS);
    }
  }

  private shouldHoldBack(call: DeliveryCall): boolean {
    return this.deps.faults.takeDeliveryFaults('outOfOrder', call).length > 0;
  }

  private async attempt(item: QueuedAttempt): Promise<void> {
    const { state, logger } = this.deps;
    const { call } = item;
    const webhook = state.webhooks.get(call.webhookId);
    if (!webhook || webhook.disabled) {
      logger.info({ callId: call.callId, webhookId: call.webhookId }, 'dropped delivery: webhook deleted or disabled');
      return;
    }

    call.attempts += 1;
    const deliveryId = randomUUID();
    if (call.originDeliveryId === null) call.originDeliveryId = deliveryId;
    const originDeliveryId = call.attempts > 1 ? call.originDeliveryId : null;
    const request = await this.buildRequest(webhook, call, deliveryId, originDeliveryId);

    const duplicate = this.deps.faults.takeDeliveryFaults('duplicate', call).length > 0;
    const first = await this.post(webhook, call, request, { heldBack: item.heldBack, duplicate: false });
    let ok = first.ok;
    if (duplicate) {
      const second = await this.post(webhook, call, request, { heldBack: item.heldBack, duplicate: true });
      ok = ok || second.ok;
    }
    this.settle(webhook, call, ok, first);
  }

  private async buildRequest(
    webhook: WebhookRecord,
    call: DeliveryCall,
    deliveryId: string,
    originDeliveryId: string | null,
  ): Promise<{ headers: Record<string, string>; body: string; signed: boolean }> {
    const { state } = this.deps;
    const policy = webhook.webhookPolicyId === null ? undefined : state.webhookPolicies.get(webhook.webhookPolicyId);
    let body: string;
    const signed = policy !== undefined && !policy.disabled;
    if (signed) {
      // Each attempt is signed afresh (new iat, nbf and jti) so receivers with a replay cache accept retries.
      const jwt = await signDelivery(policy, {
        data: call.data,
        issuer: state.accountUrl(webhook.accountId),
        subject: String(webhook.id),
        audience: policy.jwtAudience,
        expiresInMinutes: policy.jwtClaimExpiresIn,
        issuedAt: epochSeconds(state.clock),
      });
      body = JSON.stringify({ jwt });
    } else {
      body = JSON.stringify(call.data);
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      Accept: '*/*',
      'User-Agent': USER_AGENT,
      'X-Xurrent-Delivery': deliveryId,
      Link: call.link,
    };
    if (originDeliveryId !== null) headers['X-Xurrent-Delivery-Origin'] = originDeliveryId;
    return { headers, body, signed };
  }

  private async post(
    webhook: WebhookRecord,
    call: DeliveryCall,
    request: { headers: Record<string, string>; body: string; signed: boolean },
    flags: { heldBack: boolean; duplicate: boolean },
  ): Promise<DeliveryAttempt> {
    const startedAt = this.deps.state.now();
    const started = performance.now();
    let responseStatus: number | null = null;
    let responseBody: string | null = null;
    let error: string | null = null;

    if (!isLoopback(webhook.uri)) {
      error = `Refused to deliver to ${webhook.uri}: the simulator only delivers to 127.0.0.1, localhost or [::1].`;
    } else {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      this.inFlight.add(controller);
      try {
        const response = await fetch(webhook.uri, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal: controller.signal,
        });
        responseStatus = response.status;
        responseBody = (await response.text()).slice(0, MAX_RECORDED_RESPONSE_CHARS);
      } catch (caught) {
        error = describeFetchError(caught, controller.signal);
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      }
    }

    const attempt: DeliveryAttempt = {
      deliveryId: request.headers['X-Xurrent-Delivery'] ?? '',
      originDeliveryId: request.headers['X-Xurrent-Delivery-Origin'] ?? null,
      callId: call.callId,
      attempt: call.attempts,
      webhookId: webhook.id,
      accountId: webhook.accountId,
      event: call.event,
      uri: webhook.uri,
      requestHeaders: request.headers,
      requestBody: request.body,
      data: call.data,
      signed: request.signed,
      responseStatus,
      responseBody,
      error,
      ok: responseStatus !== null && responseStatus >= 200 && responseStatus < 300,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      duplicate: flags.duplicate,
      heldBack: flags.heldBack,
    };
    this.record(attempt);
    return attempt;
  }

  private settle(webhook: WebhookRecord, call: DeliveryCall, ok: boolean, attempt: DeliveryAttempt): void {
    const { logger } = this.deps;
    const context = { callId: call.callId, webhookId: webhook.id, event: call.event, attempt: call.attempts };
    if (ok) {
      webhook.consecutiveFailures = 0;
      webhook.lastError = null;
      return;
    }
    webhook.consecutiveFailures += 1;
    webhook.lastError = attempt.responseStatus === null ? (attempt.error ?? 'failed') : `${attempt.responseStatus}`;
    logger.info({ ...context, status: attempt.responseStatus, error: attempt.error }, 'delivery attempt failed');
    if (webhook.consecutiveFailures >= DISABLE_AFTER_FAILURES) {
      webhook.disabled = true;
      logger.warn({ webhookId: webhook.id }, `disabled webhook after ${DISABLE_AFTER_FAILURES} consecutive failures`);
      return;
    }
    if (call.attempts >= MAX_ATTEMPTS) {
      logger.warn(context, `dropped delivery after ${MAX_ATTEMPTS} failed attempts`);
      return;
    }
    const delay = BASE_RETRY_DELAY_MS * 2 ** (call.attempts - 1) * this.retrySpeedFactor;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push({ call, heldBack: false });
    }, delay);
    this.timers.add(timer);
  }

  private record(attempt: DeliveryAttempt): void {
    this.attempts.push(attempt);
    for (const waiter of this.waiters) {
      if (!waiter.matches(attempt)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(attempt);
    }
  }
}

function isLoopback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

function describeFetchError(caught: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  if (caught instanceof Error) {
    const cause = (caught as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${caught.message}: ${cause.message}` : caught.message;
  }
  return String(caught);
}
