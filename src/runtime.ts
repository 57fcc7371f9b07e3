import type { XurrentConnection } from './connection/xurrent-connection.js';
import type { Logger } from './log.js';
import type { SecretStore } from './secrets/secret-store.js';
import type { Solution } from './solution/define.js';
import type { Store } from './storage/store.js';

/** Settings of the receiver that an operator may change. */
export interface ReceiverSettings {
  /** Maximum age of a delivery's `iat`, in seconds. Default 300. */
  maxTokenAgeSeconds: number;
  /** Largest accepted request body, in bytes. Default 1 MiB. */
  bodyLimitBytes: number;
  /**
   * Account URL with `{account}` in place of the account id, e.g. `https://{account}.xurrent.com`.
   * The default issuer of a customer's webhook policy; derived from the provider policy's issuer when absent.
   */
  accountUrlPattern?: string;
  /** Timeout of the GET to a `webhook.verify` callback URL, in milliseconds. Default 10 000. */
  verifyCallbackTimeoutMs: number;
}

export const DEFAULT_RECEIVER_SETTINGS: ReceiverSettings = {
  maxTokenAgeSeconds: 300,
  bodyLimitBytes: 1024 * 1024,
  verifyCallbackTimeoutMs: 10_000,
};

/** Services that the receiver and the worker share in one process. */
export interface Runtime {
  solution: Solution;
  store: Store;
  secretStore: SecretStore;
  logger: Logger;
  now: () => Date;
  settings: ReceiverSettings;
  /** The provider's connection to Xurrent, when XAC_PROVIDER_* settings are given. */
  connection?: XurrentConnection;
  /**
   * HTTP client for `webhook.verify` callbacks; the global fetch by default. Tests of deliveries
   * from hosts that cannot be reached here inject one.
   */
  fetch?: typeof globalThis.fetch;
  /** Called after a delivery's jobs were committed, so that a worker in this process starts at once. */
  onJobsRecorded?: () => void;
}
