/**
 * Checks whether Xurrent's webhook.verify reached the receiver. Xurrent's GraphQL API does not
 * show whether a webhook is verified, but the receiver records every webhook.verify whose
 * callback returned 200 as a delivery whose data names the webhook. Provisioning reads those
 * records, so it must use the database of the `xac serve` at the public URL.
 */
import { pollUntil } from '../poll.js';
import type { Store } from '../storage/store.js';

const VERIFY_EVENT = 'webhook.verify';

/** Recorded deliveries scanned for verify events; older ones count as not found. */
const DELIVERIES_SCANNED = 1000;
const POLL_INTERVAL_MS = 200;
const HEALTH_TIMEOUT_MS = 5000;

export interface VerificationWait {
  verified: string[];
  /** Webhooks without a confirmed webhook.verify when the timeout passed. */
  pending: string[];
}

/** A recorded webhook.verify delivery, whose callback returned 200. */
export interface VerifyRecord {
  deliveryId: string;
  /** nodeID of the verified webhook. */
  webhookId: string;
}

/** Lists the webhook.verify deliveries among the latest recorded ones. */
export async function listVerifyRecords(store: Store): Promise<VerifyRecord[]> {
  const records: VerifyRecord[] = [];
  for (const delivery of await store.listDeliveries(DELIVERIES_SCANNED)) {
    // The receiver records a webhook.verify only after its callback returned 200, as a
    // delivery without jobs ("discarded"), so every recorded one counts.
    if (delivery.event !== VERIFY_EVENT) {
      continue;
    }
    const webhookId = verifiedWebhookId(delivery.summary);
    if (webhookId !== undefined) {
      records.push({ deliveryId: delivery.id, webhookId });
    }
  }
  return records;
}

/**
 * Returns the ids among `webhookIds` (nodeIDs) that have a recorded webhook.verify delivery
 * other than those in `ignoredDeliveryIds`.
 */
export async function findVerifiedWebhooks(
  store: Store,
  webhookIds: Iterable<string>,
  ignoredDeliveryIds: ReadonlySet<string> = new Set(),
): Promise<Set<string>> {
  const wanted = new Set(webhookIds);
  const found = new Set<string>();
  if (wanted.size === 0) {
    return found;
  }

  for (const record of await listVerifyRecords(store)) {
    if (wanted.has(record.webhookId) && !ignoredDeliveryIds.has(record.deliveryId)) {
      found.add(record.webhookId);
    }
  }
  return found;
}

/**
 * Polls the store until every webhook in `webhookIds` has a webhook.verify delivery that is
 * not in `ignoredDeliveryIds` (those recorded before its URI changed), or `timeoutMs` passed.
 */
export async function waitForVerification(
  store: Store,
  webhookIds: readonly string[],
  options: { ignoredDeliveryIds: ReadonlySet<string>; timeoutMs: number },
): Promise<VerificationWait> {
  const { value: verified } = await pollUntil(
    () => findVerifiedWebhooks(store, webhookIds, options.ignoredDeliveryIds),
    (verified) => webhookIds.every((id) => verified.has(id)),
    { timeoutMs: options.timeoutMs, intervalMs: POLL_INTERVAL_MS },
  );
  return { verified: webhookIds.filter((id) => verified.has(id)), pending: webhookIds.filter((id) => !verified.has(id)) };
}

/**
 * Sends `GET <publicUrl>/healthz`. Returns undefined when the receiver answers 200, else
 * the reason, for example "GET https://xac.example.com/healthz failed (ECONNREFUSED)".
 */
export async function receiverProblem(
  publicUrl: string,
  fetchFunction: typeof globalThis.fetch = globalThis.fetch,
): Promise<string | undefined> {
  const url = `${publicUrl}/healthz`;
  try {
    const response = await fetchFunction(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 200 ? undefined : `GET ${url} returned HTTP ${response.status}`;
  } catch (error) {
    // undici reports "fetch failed" and puts the socket error code (ECONNREFUSED, ...) in `cause`.
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    if (typeof cause?.code === 'string') {
      return `GET ${url} failed (${cause.code})`;
    }
    return `GET ${url} failed: ${(error as Error).message}`;
  }
}

/** Reads the webhook's nodeID from the data of a recorded webhook.verify delivery. */
function verifiedWebhookId(summary: unknown): string | undefined {
  if (typeof summary !== 'object' || summary === null) {
    return undefined;
  }
  const data = summary as Record<string, unknown>;
  const id = data.webhook_nodeID ?? data.object_nodeID;
  return typeof id === 'string' ? id : undefined;
}
