import { randomBytes } from 'node:crypto';
import { SecretStoreError } from '../errors.js';
import type { OauthApplicationCredentials } from '../solution/context.js';
import type { DataKeyRecord, PurgeOptions, PurgeResult, SecretListing, SecretWrite, Store } from '../storage/store.js';
import { open, seal } from './cipher.js';
import type { MasterKeyRing } from './master-keys.js';

/** The webhook policy that Xurrent created in a customer account for an app's webhook. */
export interface CustomerPolicy {
  nodeId?: string;
  /** Upper case, as Xurrent delivers it: RS256, ES512, ... */
  algorithm: string;
  publicKeyPem: string;
  audience?: string | null;
  /** Present only for accounts with a custom domain; otherwise the account URL is the issuer. */
  issuer?: string;
}

/** Secrets stored for one customer account and app, merged over all deliveries. */
export interface CustomerSecrets {
  application?: OauthApplicationCredentials;
  authorizationApplication?: OauthApplicationCredentials;
  policy?: CustomerPolicy;
  /** Values of the app offering's secret form fields, by field id. */
  secrets: Record<string, unknown>;
}

/** Blocks of one secrets-update delivery; absent blocks leave the stored ones as they are. */
export interface SecretBlocks {
  application?: OauthApplicationCredentials;
  authorizationApplication?: OauthApplicationCredentials;
  policy?: CustomerPolicy;
  secrets?: Record<string, unknown>;
}

const SECRET_FIELD_PREFIX = 'secret:';

/** Stored blocks by their name in the secrets-update payload; `secrets` covers every secret form field. */
export type SecretBlockName = 'application' | 'authorization_application' | 'policy' | 'secrets';

/**
 * Envelope encryption of customer secrets: one AES-256 data key per customer account and app,
 * wrapped by the master key. Destroying the data key makes that pair's ciphertexts unreadable.
 */
export class SecretStore {
  constructor(
    private readonly store: Store,
    private readonly keyRing: MasterKeyRing,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Encrypts the blocks of a delivery into rows that `Store.recordDelivery` writes in its transaction. */
  async encryptBlocks(customerAccountId: string, appReference: string, blocks: SecretBlocks): Promise<SecretWrite[]> {
    const entries: Array<[string, unknown]> = [];
    if (blocks.application) entries.push(['application', blocks.application]);
    if (blocks.authorizationApplication) entries.push(['authorization_application', blocks.authorizationApplication]);
    if (blocks.policy) entries.push(['policy', blocks.policy]);
    for (const [field, value] of Object.entries(blocks.secrets ?? {})) {
      entries.push([SECRET_FIELD_PREFIX + field, value]);
    }
    if (entries.length === 0) return [];

    const dataKey = await this.dataKey(customerAccountId, appReference, true);
    return entries.map(([name, value]) => ({
      customerAccountId,
      appReference,
      name,
      ciphertext: seal(dataKey, Buffer.from(JSON.stringify(value), 'utf8'), additionalData(customerAccountId, appReference, name)),
    }));
  }

  /**
   * Decrypts the pair's stored blocks, or only the named ones, so that the receiver's check of an
   * automation webhook opens the policy and leaves the OAuth applications sealed.
   */
  async read(customerAccountId: string, appReference: string, options: { blocks?: readonly SecretBlockName[] } = {}): Promise<CustomerSecrets> {
    const wanted = options.blocks;
    const rows = (await this.store.readSecrets(customerAccountId, appReference)).filter(
      (row) => !wanted || wanted.includes(row.name.startsWith(SECRET_FIELD_PREFIX) ? 'secrets' : (row.name as SecretBlockName)),
    );
    const result: CustomerSecrets = { secrets: {} };
    if (rows.length === 0) return result;

    const dataKey = await this.dataKey(customerAccountId, appReference, false);
    for (const row of rows) {
      const value = JSON.parse(open(dataKey, row.ciphertext, additionalData(customerAccountId, appReference, row.name)).toString('utf8')) as unknown;
      if (row.name === 'application') result.application = value as OauthApplicationCredentials;
      else if (row.name === 'authorization_application') result.authorizationApplication = value as OauthApplicationCredentials;
      else if (row.name === 'policy') result.policy = value as CustomerPolicy;
      else if (row.name.startsWith(SECRET_FIELD_PREFIX)) result.secrets[row.name.slice(SECRET_FIELD_PREFIX.length)] = value;
    }
    return result;
  }

  /**
   * Seals a value other than a delivered secret (a cached OAuth token, a step result) under the
   * pair's data key, so that destroying the pair's key destroys it too.
   */
  async seal(customerAccountId: string, appReference: string, label: string, value: unknown): Promise<Buffer> {
    const dataKey = await this.dataKey(customerAccountId, appReference, true);
    return seal(dataKey, Buffer.from(JSON.stringify(value), 'utf8'), valueLabel(customerAccountId, appReference, label));
  }

  async unseal(customerAccountId: string, appReference: string, label: string, sealed: Buffer): Promise<unknown> {
    const dataKey = await this.dataKey(customerAccountId, appReference, false);
    return JSON.parse(open(dataKey, sealed, valueLabel(customerAccountId, appReference, label)).toString('utf8')) as unknown;
  }

  /** Names and update times only; values never leave through a listing. */
  async list(filter?: { customerAccountId?: string; appReference?: string }): Promise<SecretListing[]> {
    return this.store.listSecrets(filter);
  }

  /**
   * Deletes the pair's secrets and its data key, so that copies of the rows in backups stay
   * unreadable. With `updatedUpTo`, secrets written later stay, and so does the key they need.
   */
  async destroy(customerAccountId: string, appReference: string, options?: PurgeOptions): Promise<PurgeResult> {
    return this.store.purgeCustomerApp(customerAccountId, appReference, options);
  }

  /**
   * Fails when stored data keys are wrapped by a master key that the key ring lacks, so that a
   * process started with the wrong XAC_MASTER_KEY stops at once instead of failing every job.
   */
  async assertKeyRingCoversStore(): Promise<void> {
    const unknown = new Set<string>();
    for (const record of await this.store.listDataKeys()) {
      if (!this.keyRing.byId.has(record.masterKeyId)) unknown.add(record.masterKeyId);
    }
    if (unknown.size > 0) {
      throw new SecretStoreError(
        'XAC_MASTER_KEY_UNKNOWN',
        `the database holds data keys wrapped by master key ${[...unknown].join(', ')}, but XAC_MASTER_KEY is ${this.keyRing.current.id}; ` +
          'start with the master key that wrote them, or add it to XAC_PREVIOUS_MASTER_KEYS',
      );
    }
  }

  /** Re-wraps every data key that the current master key does not wrap yet; returns how many changed. */
  async rotate(): Promise<{ rewrapped: number; alreadyCurrent: number }> {
    let rewrapped = 0;
    let alreadyCurrent = 0;
    for (const record of await this.store.listDataKeys()) {
      if (record.masterKeyId === this.keyRing.current.id) {
        alreadyCurrent++;
        continue;
      }
      const plainKey = this.unwrap(record);
      const updated: DataKeyRecord = { ...record, masterKeyId: this.keyRing.current.id, wrappedKey: this.wrap(record, plainKey) };
      // Another process may have rotated this key meanwhile; then it is current already.
      if (await this.store.rewrapDataKey(updated, record.masterKeyId)) rewrapped++;
      else alreadyCurrent++;
    }
    return { rewrapped, alreadyCurrent };
  }

  private async dataKey(customerAccountId: string, appReference: string, create: boolean): Promise<Buffer> {
    let record = await this.store.getDataKey(customerAccountId, appReference);
    if (!record) {
      if (!create) {
        throw new SecretStoreError(
          'XAC_DATA_KEY_MISSING',
          `no data key stored for customer ${customerAccountId} and app ${appReference}; its secrets were destroyed or never stored`,
        );
      }
      const plainKey = randomBytes(32);
      const draft: DataKeyRecord = {
        customerAccountId,
        appReference,
        masterKeyId: this.keyRing.current.id,
        wrappedKey: Buffer.alloc(0),
        createdAt: this.now(),
      };
      draft.wrappedKey = this.wrap(draft, plainKey);
      record = await this.store.ensureDataKey(draft);
    }
    return this.unwrap(record);
  }

  private wrap(record: Pick<DataKeyRecord, 'customerAccountId' | 'appReference'>, plainKey: Buffer): Buffer {
    return seal(this.keyRing.current.key, plainKey, dataKeyLabel(record));
  }

  private unwrap(record: DataKeyRecord): Buffer {
    const masterKey = this.keyRing.byId.get(record.masterKeyId);
    if (!masterKey) {
      throw new SecretStoreError(
        'XAC_MASTER_KEY_UNKNOWN',
        `the data key of customer ${record.customerAccountId} and app ${record.appReference} is wrapped by master key ${record.masterKeyId}, ` +
          'which is neither XAC_MASTER_KEY nor in XAC_PREVIOUS_MASTER_KEYS; add that key to XAC_PREVIOUS_MASTER_KEYS',
      );
    }
    return open(masterKey.key, record.wrappedKey, dataKeyLabel(record));
  }
}

function additionalData(customerAccountId: string, appReference: string, name: string): string {
  return `secret:${customerAccountId}/${appReference}/${name}`;
}

function valueLabel(customerAccountId: string, appReference: string, label: string): string {
  return `value:${customerAccountId}/${appReference}/${label}`;
}

function dataKeyLabel(record: Pick<DataKeyRecord, 'customerAccountId' | 'appReference'>): string {
  return `data-key:${record.customerAccountId}/${record.appReference}`;
}
