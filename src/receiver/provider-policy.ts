import { RejectionError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { WebhookPolicy } from './verification/policy.js';
import { parsePolicyAlgorithm } from './verification/policy.js';

/** Returns the provider account's webhook policy, which signs secrets-update and app_instance deliveries. */
export async function providerPolicy(runtime: Runtime): Promise<WebhookPolicy> {
  const stored = await runtime.store.getProviderPolicy();
  if (!stored) {
    throw new RejectionError(
      'XAC_PROVIDER_POLICY_MISSING',
      'no provider webhook policy is stored, so the delivery cannot be verified; run `xac provision`, ' +
        'or `xac policy set --public-key FILE --algorithm ES256 --issuer https://<provider account>.xurrent.com`',
      401,
    );
  }
  return {
    algorithm: parsePolicyAlgorithm(stored.algorithm),
    publicKeyPem: stored.publicKeyPem,
    issuer: stored.issuer,
    audience: stored.audience ?? null,
  };
}
