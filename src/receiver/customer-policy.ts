import { RejectionError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { customerIssuer, type AccountUrlOptions } from './verification/customer-issuer.js';
import type { WebhookPolicy } from './verification/policy.js';
import { parsePolicyAlgorithm } from './verification/policy.js';

/**
 * Returns the webhook policy that Xurrent created in the customer account for the app, as the
 * secrets-update delivery brought it. Its issuer is the delivered `issuer` (custom domains) or
 * the customer's account URL, so a token signed for one account never verifies for another.
 */
export async function customerPolicy(runtime: Runtime, customerAccountId: string, appReference: string): Promise<WebhookPolicy> {
  const { policy } = await runtime.secretStore.read(customerAccountId, appReference, { blocks: ['policy'] });
  if (!policy) {
    throw new RejectionError(
      'XAC_CUSTOMER_POLICY_MISSING',
      `no webhook policy stored for customer ${customerAccountId} and app ${appReference}; has the Secrets Changed runbook received it? ` +
        'Check that the provider webhook for app_instance.secrets-update points at /xurrent/secrets',
      401,
    );
  }
  // The provider policy's issuer is read only when no pattern is configured, because the pattern wins.
  const accountUrlPattern = runtime.settings.accountUrlPattern;
  const accountUrls: AccountUrlOptions =
    accountUrlPattern !== undefined ? { accountUrlPattern } : { providerAccountUrl: (await runtime.store.getProviderPolicy())?.issuer };
  const issuer = customerIssuer({ deliveredIssuer: policy.issuer, customerAccountId, ...accountUrls });
  return {
    algorithm: parsePolicyAlgorithm(policy.algorithm),
    publicKeyPem: policy.publicKeyPem,
    issuer,
    audience: policy.audience ?? null,
  };
}
