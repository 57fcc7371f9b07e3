/**
 * The storage contract, implemented by the SQLite store (processes on one machine) and the
 * PostgreSQL store (processes on several machines). Every method is async for the latter.
 * Storage has no Xurrent concepts: it stores opaque JSON and ciphertext.
 */

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface DeliveryRecord {
  id: string;
  /** The JWT id; unique among recorded deliveries when present. */
  jti?: string;
  /** The original delivery id that Xurrent names on a retry. */
  origin?: string;
  route: string;
  event: string;
  customerAccountId?: string;
  appReference?: string;
  receivedAt: Date;
  /** Summary of the delivery's content, with secret values removed. */
  summary: unknown;
  status: 'accepted' | 'discarded';
  note?: string;
}

export interface SecretWrite {
  customerAccountId: string;
  appReference: string;
  name: string;
  ciphertext: Buffer;
}

export interface SecretRow extends SecretWrite {
  updatedAt: Date;
}

export interface SecretListing {
  customerAccountId: string;
  appReference: string;
  name: string;
  updatedAt: Date;
}

export interface DataKeyRecord {
  customerAccountId: string;
  appReference: string;
  masterKeyId: string;
  wrappedKey: Buffer;
  createdAt: Date;
}

export interface NewJob {
  id: string;
  runbook: string;
  label: string;
  deliveryId: string;
  customerAccountId?: string;
  appReference?: string;
  /** The trigger output, free of secret values. */
  trigger: unknown;
  maxAttempts: number;
  runAt: Date;
}

export interface JobRecord extends NewJob {
  /** Position in the queue; jobs of one customer account and app run in this order. */
  sequence: number;
  status: JobStatus;
  /** Runs that count towards maxAttempts. */
  attempts: number;
  backoffs: number;
  lastError?: string;
  lockedBy?: string;
  lockedUntil?: Date;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

export interface JobLogLine {
  at: Date;
  attempt: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

export interface JobFilter {
  status?: JobStatus;
  runbook?: string;
  customerAccountId?: string;
  appReference?: string;
  limit?: number;
}

export interface StoredProviderPolicy {
  algorithm: string;
  publicKeyPem: string;
  issuer: string;
  audience?: string | null;
  source: 'manual' | 'provisioned';
  updatedAt: Date;
}

export type JobOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; runAt: Date; error: string }
  | { kind: 'backoff'; runAt: Date; reason: string }
  | { kind: 'failed'; error: string };

export interface CacheEntry {
  ciphertext: Buffer;
  expiresAt: Date;
}

export interface StepRecord {
  name: string;
  /** JSON of the step's result, sealed when `encrypted` is true. */
  result: Buffer;
  encrypted: boolean;
  createdAt: Date;
}

export interface ClaimOptions {
  /**
   * Maximum number of running jobs per runbook name, counted across every worker that shares
   * the store. Runbooks not named here have no limit of their own.
   */
  runbookLimits?: Readonly<Record<string, number>>;
}

export interface PurgeOptions {
  /**
   * Deletes only the secrets last written at or before this time, and destroys the data key
   * only when no newer secret remains. Without it, every secret of the pair and its key go.
   */
  updatedUpTo?: Date;
}

export interface PurgeResult {
  deletedSecrets: number;
  /** Recorded step results of the pair's finished jobs from before `updatedUpTo`. */
  deletedSteps: number;
  /** Cached values sealed under the data key (`<account>/<app>/` keys), deleted with the key. */
  deletedCacheEntries: number;
  /** Secrets written after `updatedUpTo`, which stay with their data key. */
  keptSecrets: number;
  dataKeyDestroyed: boolean;
}

export interface RecordDeliveryInput {
  delivery: DeliveryRecord;
  secrets: SecretWrite[];
  jobs: NewJob[];
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
  ping(): Promise<void>;

  /**
   * Stores a delivery, its secrets and its jobs in one transaction. A delivery whose id, jti or
   * origin is already recorded stores nothing and returns duplicate: true. Secrets whose pair
   * has no data key any more (a purge ran after they were sealed) reject the whole delivery
   * with XAC_DATA_KEY_MISSING, so that the sender retries and they are sealed again.
   */
  recordDelivery(input: RecordDeliveryInput): Promise<{ duplicate: boolean }>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  listDeliveries(limit: number): Promise<DeliveryRecord[]>;

  getProviderPolicy(): Promise<StoredProviderPolicy | undefined>;
  setProviderPolicy(policy: StoredProviderPolicy): Promise<void>;

  /** Inserts the data key unless one exists for the pair, and returns the stored one. */
  ensureDataKey(record: DataKeyRecord): Promise<DataKeyRecord>;
  getDataKey(customerAccountId: string, appReference: string): Promise<DataKeyRecord | undefined>;
  listDataKeys(): Promise<DataKeyRecord[]>;
  /** Replaces a wrapped key only if it is still wrapped by expectedMasterKeyId. */
  rewrapDataKey(record: DataKeyRecord, expectedMasterKeyId: string): Promise<boolean>;

  readSecrets(customerAccountId: string, appReference: string): Promise<SecretRow[]>;
  listSecrets(filter?: { customerAccountId?: string; appReference?: string }): Promise<SecretListing[]>;
  /** Deletes the pair's secrets and destroys its data key, in one transaction. */
  purgeCustomerApp(customerAccountId: string, appReference: string, options?: PurgeOptions): Promise<PurgeResult>;

  /**
   * Claims the next due job. A job waits while an earlier job of its customer account and app
   * is queued or running. An internal job (runbook name starting with `@`) that is not due yet
   * does not hold later jobs back.
   */
  claimJob(workerId: string, leaseMs: number, now: Date, options?: ClaimOptions): Promise<JobRecord | undefined>;
  extendLease(jobId: string, workerId: string, until: Date): Promise<boolean>;
  /** Applies a run's outcome; false when the lease was lost to another worker. */
  finishJob(jobId: string, workerId: string, outcome: JobOutcome, now: Date): Promise<boolean>;
  appendJobLogs(jobId: string, lines: JobLogLine[]): Promise<void>;
  getJob(id: string): Promise<JobRecord | undefined>;
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  getJobLogs(id: string): Promise<JobLogLine[]>;
  /** Queues a failed job again with a fresh count of attempts. */
  retryJob(id: string, now: Date): Promise<JobRecord | undefined>;
  /** When the next queued job is due, to let an idle worker sleep until then. */
  nextRunAt(): Promise<Date | undefined>;

  /**
   * Encrypted values shared by all processes, such as OAuth tokens; expired entries read as absent.
   * Keys of values sealed under a customer's data key start with `<account>/<app>/`.
   */
  getCacheEntry(key: string, now: Date): Promise<CacheEntry | undefined>;
  putCacheEntry(key: string, entry: CacheEntry): Promise<void>;
  deleteCacheEntry(key: string): Promise<void>;

  /**
   * Takes the named lock for owner until `until`, when it is free or its holder's time ran out.
   * Locks live in the database so that they hold across processes.
   */
  tryAcquireLock(name: string, owner: string, until: Date, now: Date): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;

  /** Completed steps of a job, so that a run after a retry or crash skips them. */
  getStep(jobId: string, name: string): Promise<StepRecord | undefined>;
  /** Records a step's result unless one is recorded already; returns the stored record. */
  putStep(jobId: string, step: StepRecord): Promise<StepRecord>;
  /** Records or replaces a step's result, for progress that grows from run to run. */
  saveStep(jobId: string, step: StepRecord): Promise<void>;
}

/** Start of the cache keys of values sealed under the data key of a customer account and app. */
export function cacheKeyPrefix(customerAccountId: string, appReference: string): string {
  return `${customerAccountId}/${appReference}/`;
}
