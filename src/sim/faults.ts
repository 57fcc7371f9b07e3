import { SimError } from './errors.js';

/** HTTP endpoints of the simulator that accept faults. */
export type FaultEndpoint = 'oauth' | 'graphql' | 'asyncResult' | 'upload';

export type EndpointFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'drop' }
  | { kind: 'malformedJson' };

export type DeliveryFault = { kind: 'duplicate' } | { kind: 'outOfOrder' };

interface FaultRuleBase {
  /** Apply to this many matching requests, then remove the rule. */
  times?: number;
  /** Apply to each matching request with this probability (0..1) instead of a count. */
  probability?: number;
}

export interface EndpointFaultRule extends FaultRuleBase {
  target: FaultEndpoint;
  fault: EndpointFault;
}

export interface DeliveryFaultRule extends FaultRuleBase {
  target: 'delivery';
  fault: DeliveryFault;
  /** Only deliveries of this event. */
  event?: string;
  /** Only deliveries to this webhook (numeric id). */
  webhookId?: number;
}

export type FaultRule = EndpointFaultRule | DeliveryFaultRule;

interface StoredRule {
  id: number;
  rule: FaultRule;
  remaining: number | null;
}

/** Faults armed through control, consumed by the endpoints and the delivery sender. */
export class FaultRegistry {
  private rules: StoredRule[] = [];
  private sequence = 0;

  add(rule: FaultRule): { id: number } {
    validateRule(rule);
    const id = ++this.sequence;
    const remaining = rule.probability === undefined ? (rule.times ?? 1) : (rule.times ?? null);
    this.rules.push({ id, rule, remaining });
    return { id };
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRule & { id: number; remaining: number | null }> {
    return this.rules.map((stored) => ({ ...stored.rule, id: stored.id, remaining: stored.remaining }));
  }

  /** Consumes the faults that apply to one request to an endpoint, latency first. */
  takeEndpointFaults(endpoint: FaultEndpoint): EndpointFault[] {
    const faults = this.take(
      (rule): rule is EndpointFaultRule => rule.target === endpoint,
    ).map((rule) => rule.fault);
    return faults.sort((a, b) => Number(b.kind === 'latency') - Number(a.kind === 'latency'));
  }

  /** Consumes the faults of one kind that apply to one delivery. */
  takeDeliveryFaults(kind: DeliveryFault['kind'], delivery: { event: string; webhookId: number }): DeliveryFault[] {
    return this.take(
      (rule): rule is DeliveryFaultRule =>
        rule.target === 'delivery' &&
        rule.fault.kind === kind &&
        (rule.event === undefined || rule.event === delivery.event) &&
        (rule.webhookId === undefined || rule.webhookId === delivery.webhookId),
    ).map((rule) => rule.fault);
  }

  private take<T extends FaultRule>(matches: (rule: FaultRule) => rule is T): T[] {
    const taken: T[] = [];
    for (const stored of this.rules) {
      const rule = stored.rule;
      if (!matches(rule)) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      if (stored.remaining !== null) stored.remaining -= 1;
      taken.push(rule);
    }
    this.rules = this.rules.filter((stored) => stored.remaining === null || stored.remaining > 0);
    return taken;
  }
}

function validateRule(rule: FaultRule): void {
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
    throw new SimError('SIM_INVALID_ARGUMENT', `Invalid fault times ${rule.times}: use a whole number of at least 1.`);
  }
  if (rule.probability !== undefined && !(rule.probability > 0 && rule.probability <= 1)) {
    throw new SimError(
      'SIM_INVALID_ARGUMENT',
      `Invalid fault probability ${rule.probability}: use a number above 0 and at most 1.`,
    );
  }
  const fault = rule.fault;
  if (fault.kind === 'status' && !(fault.status >= 500 && fault.status <= 599)) {
    throw new SimError('SIM_INVALID_ARGUMENT', `Invalid fault status ${fault.status}: use a 5xx status.`);
  }
}
