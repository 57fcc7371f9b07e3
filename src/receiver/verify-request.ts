import type { Runtime } from '../runtime.js';
import { parseEnvelope } from './verification/envelope.js';
import type { WebhookPolicy } from './verification/policy.js';
import { verifyDelivery, type VerifiedDelivery } from './verification/verify.js';

/** Parses the `{"jwt": …}` body and verifies the token against the policy, with the runtime's clock. */
export async function verifySignedBody(runtime: Runtime, body: Buffer, policy: WebhookPolicy): Promise<VerifiedDelivery> {
  const jwt = parseEnvelope(body);
  return verifyDelivery(jwt, policy, { now: runtime.now, maxAgeSeconds: runtime.settings.maxTokenAgeSeconds });
}
