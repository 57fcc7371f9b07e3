/**
 * Provisioning state kept between runs: the id of the provider webhook policy it created, a
 * fingerprint of the public key stored for it, and the webhooks it created with whether the
 * receiver confirmed their webhook.verify.
 *
 * The state is one sealed entry in the store's shared cache table, with an expiry so far
 * ahead that it never expires. That table exists in every store, so no schema change is
 * needed. Losing the entry is safe: the next run creates a new policy and recreates the
 * webhooks it finds by name.
 */
import { createHash } from 'node:crypto';
import { PROVIDER_PAIR } from '../connection/token-persistence.js';
import { ConfigError } from '../errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../storage/store.js';

export interface ProvisionedPolicyState {
  id: string;
  /** SHA-256 of the public key PEM stored as the provider policy when the policy was created. */
  publicKeyFingerprint: string;
}

export interface ProvisionedWebhookState {
  event: string;
  /** True once the receiver called this webhook's webhook.verify callback. */
  verified: boolean;
}

export interface ProvisioningState {
  policy?: ProvisionedPolicyState;
  /** Webhooks created by provisioning, by nodeID. */
  webhooks: Record<string, ProvisionedWebhookState>;
}

const STATE_KEY = 'xac-provisioning-state';
/** 9999-12-31T23:59:59.999Z, within the range of both stores' integer columns. */
const NEVER = new Date(253_402_300_799_999);

export function emptyState(): ProvisioningState {
  return { webhooks: {} };
}

export function publicKeyFingerprint(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem.trim()).digest('hex');
}

export class ProvisioningStateStore {
  constructor(
    private readonly store: Store,
    private readonly secretStore: SecretStore,
  ) {}

  async read(): Promise<ProvisioningState> {
    const entry = await this.store.getCacheEntry(STATE_KEY, new Date());
    if (!entry) {
      return emptyState();
    }

    let value: unknown;
    try {
      value = await this.secretStore.unseal(PROVIDER_PAIR.customerAccountId, PROVIDER_PAIR.appReference, STATE_KEY, entry.ciphertext);
    } catch (error) {
      throw new ConfigError(
        `the provisioning state in the database cannot be decrypted (${(error as Error).message}); ` +
          'check that XAC_MASTER_KEY is the key that xac serve uses',
      );
    }
    const state = value as Partial<ProvisioningState> | null;
    return { ...(state?.policy ? { policy: state.policy } : {}), webhooks: { ...(state?.webhooks ?? {}) } };
  }

  async write(state: ProvisioningState): Promise<void> {
    const ciphertext = await this.secretStore.seal(PROVIDER_PAIR.customerAccountId, PROVIDER_PAIR.appReference, STATE_KEY, state);
    await this.store.putCacheEntry(STATE_KEY, { ciphertext, expiresAt: NEVER });
  }

  async clear(): Promise<void> {
    await this.store.deleteCacheEntry(STATE_KEY);
  }
}
