import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { dataKeyMissingError } from './data-key-check.js';
import { cacheKeyPrefix } from './store.js';
import type {
  ClaimOptions,
  DataKeyRecord,
  DeliveryRecord,
  JobFilter,
  JobLogLine,
  JobOutcome,
  JobRecord,
  CacheEntry,
  PurgeOptions,
  PurgeResult,
  RecordDeliveryInput,
  StepRecord,
  SecretListing,
  SecretRow,
  Store,
  StoredProviderPolicy,
} from './store.js';
import {
  toDataKey,
  toDelivery,
  toJob,
  toJobLogLine,
  toProviderPolicy,
  toSecretListing,
  toSecretRow,
  toStep,
  type JsonColumnDecoder,
  type Row,
} from './rows.js';

/** SQLite stores JSON columns as TEXT. */
const decodeJson: JsonColumnDecoder = (value) => JSON.parse(value as string) as unknown;

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a store that lives as long as the process. */
  filename: string;
  /** Milliseconds a writer waits for another process's lock. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * The embedded store. WAL mode lets a `xac worker` process share the file with `xac serve` on
 * the same machine; several machines need the PostgreSQL store.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(options: SqliteStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  }

  async migrate(): Promise<void> {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      }).immediate();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async recordDelivery(input: RecordDeliveryInput): Promise<{ duplicate: boolean }> {
    const { delivery } = input;
    const run = this.db.transaction((): { duplicate: boolean } => {
      const seen = this.db
        .prepare(
          `SELECT 1 FROM deliveries
           WHERE id = @id OR (@jti IS NOT NULL AND jti = @jti)
              OR (@origin IS NOT NULL AND (id = @origin OR origin = @origin))
           LIMIT 1`,
        )
        .get({ id: delivery.id, jti: delivery.jti ?? null, origin: delivery.origin ?? null });
      if (seen) return { duplicate: true };

      this.db
        .prepare(
          `INSERT INTO deliveries (id, jti, origin, route, event, customer_account_id, app_reference, received_at, summary, status, note)
           VALUES (@id, @jti, @origin, @route, @event, @customerAccountId, @appReference, @receivedAt, @summary, @status, @note)`,
        )
        .run({
          id: delivery.id,
          jti: delivery.jti ?? null,
          origin: delivery.origin ?? null,
          route: delivery.route,
          event: delivery.event,
          customerAccountId: delivery.customerAccountId ?? null,
          appReference: delivery.appReference ?? null,
          receivedAt: delivery.receivedAt.getTime(),
          summary: JSON.stringify(delivery.summary ?? null),
          status: delivery.status,
          note: delivery.note ?? null,
        });

      const hasDataKey = this.db.prepare('SELECT 1 FROM data_keys WHERE customer_account_id = ? AND app_reference = ?');
      for (const secret of input.secrets) {
        if (!hasDataKey.get(secret.customerAccountId, secret.appReference)) throw dataKeyMissingError(secret);
      }

      const upsertSecret = this.db.prepare(
        `INSERT INTO secrets (customer_account_id, app_reference, name, ciphertext, updated_at)
         VALUES (@customerAccountId, @appReference, @name, @ciphertext, @updatedAt)
         ON CONFLICT (customer_account_id, app_reference, name)
         DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      );
      for (const secret of input.secrets) {
        upsertSecret.run({ ...secret, updatedAt: delivery.receivedAt.getTime() });
      }

      const insertJob = this.db.prepare(
        `INSERT INTO jobs (id, runbook, label, delivery_id, customer_account_id, app_reference, trigger, status,
                           max_attempts, run_at, created_at, updated_at)
         VALUES (@id, @runbook, @label, @deliveryId, @customerAccountId, @appReference, @trigger, 'queued',
                 @maxAttempts, @runAt, @now, @now)
         ON CONFLICT (delivery_id, runbook) DO NOTHING`,
      );
      for (const job of input.jobs) {
        insertJob.run({
          id: job.id,
          runbook: job.runbook,
          label: job.label,
          deliveryId: job.deliveryId,
          customerAccountId: job.customerAccountId ?? null,
          appReference: job.appReference ?? null,
          trigger: JSON.stringify(job.trigger),
          maxAttempts: job.maxAttempts,
          runAt: job.runAt.getTime(),
          now: delivery.receivedAt.getTime(),
        });
      }
      return { duplicate: false };
    });
    return run.immediate();
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined;
    return row ? toDelivery(row, decodeJson) : undefined;
  }

  async listDeliveries(limit: number): Promise<DeliveryRecord[]> {
    const rows = this.db.prepare('SELECT * FROM deliveries ORDER BY received_at DESC LIMIT ?').all(limit) as Row[];
    return rows.map((row) => toDelivery(row, decodeJson));
  }

  async getProviderPolicy(): Promise<StoredProviderPolicy | undefined> {
    const row = this.db.prepare('SELECT * FROM provider_policy WHERE id = 1').get() as Row | undefined;
    return row ? toProviderPolicy(row) : undefined;
  }

  async setProviderPolicy(policy: StoredProviderPolicy): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO provider_policy (id, algorithm, public_key_pem, issuer, audience, source, updated_at)
         VALUES (1, @algorithm, @publicKeyPem, @issuer, @audience, @source, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET algorithm = excluded.algorithm, public_key_pem = excluded.public_key_pem,
           issuer = excluded.issuer, audience = excluded.audience, source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run({ ...policy, audience: policy.audience ?? null, updatedAt: policy.updatedAt.getTime() });
  }

  async ensureDataKey(record: DataKeyRecord): Promise<DataKeyRecord> {
    this.db
      .prepare(
        `INSERT INTO data_keys (customer_account_id, app_reference, master_key_id, wrapped_key, created_at)
         VALUES (@customerAccountId, @appReference, @masterKeyId, @wrappedKey, @createdAt)
         ON CONFLICT DO NOTHING`,
      )
      .run({ ...record, createdAt: record.createdAt.getTime() });
    return (await this.getDataKey(record.customerAccountId, record.appReference))!;
  }

  async getDataKey(customerAccountId: string, appReference: string): Promise<DataKeyRecord | undefined> {
    const row = this.db
      .prepare('SELECT * FROM data_keys WHERE customer_account_id = ? AND app_reference = ?')
      .get(customerAccountId, appReference) as Row | undefined;
    return row ? toDataKey(row) : undefined;
  }

  async listDataKeys(): Promise<DataKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM data_keys').all() as Row[]).map(toDataKey);
  }

  async rewrapDataKey(record: DataKeyRecord, expectedMasterKeyId: string): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE data_keys SET master_key_id = ?, wrapped_key = ?
         WHERE customer_account_id = ? AND app_reference = ? AND master_key_id = ?`,
      )
      .run(record.masterKeyId, record.wrappedKey, record.customerAccountId, record.appReference, expectedMasterKeyId);
    return result.changes === 1;
  }

  async readSecrets(customerAccountId: string, appReference: string): Promise<SecretRow[]> {
    const rows = this.db
      .prepare('SELECT * FROM secrets WHERE customer_account_id = ? AND app_reference = ?')
      .all(customerAccountId, appReference) as Row[];
    return rows.map(toSecretRow);
  }

  async listSecrets(filter: { customerAccountId?: string; appReference?: string } = {}): Promise<SecretListing[]> {
    const rows = this.db
      .prepare(
        `SELECT customer_account_id, app_reference, name, updated_at FROM secrets
         WHERE (@account IS NULL OR customer_account_id = @account) AND (@app IS NULL OR app_reference = @app)
         ORDER BY customer_account_id, app_reference, name`,
      )
      .all({ account: filter.customerAccountId ?? null, app: filter.appReference ?? null }) as Row[];
    return rows.map(toSecretListing);
  }

  async purgeCustomerApp(customerAccountId: string, appReference: string, options: PurgeOptions = {}): Promise<PurgeResult> {
    const pair = { account: customerAccountId, app: appReference, cutoff: options.updatedUpTo?.getTime() ?? null };
    return this.db.transaction((): PurgeResult => {
      const deleted = this.db
        .prepare(
          `DELETE FROM secrets WHERE customer_account_id = @account AND app_reference = @app
             AND (@cutoff IS NULL OR updated_at <= @cutoff)`,
        )
        .run(pair);
      const kept = this.db
        .prepare('SELECT COUNT(*) AS count FROM secrets WHERE customer_account_id = @account AND app_reference = @app')
        .get(pair) as Row;
      const keptSecrets = Number(kept.count);
      const destroyed =
        keptSecrets === 0
          ? this.db.prepare('DELETE FROM data_keys WHERE customer_account_id = @account AND app_reference = @app').run(pair).changes
          : 0;
      const steps = this.db
        .prepare(
          `DELETE FROM job_steps WHERE job_id IN (
             SELECT id FROM jobs WHERE customer_account_id = @account AND app_reference = @app
               AND status IN ('succeeded', 'failed') AND (@cutoff IS NULL OR created_at <= @cutoff))`,
        )
        .run(pair);
      const prefix = cacheKeyPrefix(customerAccountId, appReference);
      const cache =
        destroyed === 1
          ? this.db.prepare('DELETE FROM cache_entries WHERE substr(key, 1, length(@prefix)) = @prefix').run({ prefix }).changes
          : 0;
      return {
        deletedSecrets: deleted.changes,
        deletedSteps: steps.changes,
        deletedCacheEntries: cache,
        keptSecrets,
        dataKeyDestroyed: destroyed === 1,
      };
    }).immediate();
  }

  async claimJob(workerId: string, leaseMs: number, now: Date, options: ClaimOptions = {}): Promise<JobRecord | undefined> {
    const claim = this.db.transaction((): JobRecord | undefined => {
      const nowMs = now.getTime();
      // A job waits while an earlier job of the same customer account and app is unfinished,
      // so an install runs before its update and its removal. An internal job that is not due
      // yet (a purge after a retention time) does not hold a reinstall back. A runbook with a
      // limit waits while that many of its jobs run. The immediate transaction makes the count
      // and the claim one step for every process that shares the file.
      const row = this.db
        .prepare(
          `SELECT j.sequence FROM jobs j
           WHERE ((j.status = 'queued' AND j.run_at <= @now) OR (j.status = 'running' AND j.locked_until < @now))
             AND NOT EXISTS (
               SELECT 1 FROM jobs k
               WHERE k.customer_account_id = j.customer_account_id AND k.app_reference = j.app_reference
                 AND k.sequence <> j.sequence
                 AND ((k.sequence < j.sequence AND k.status IN ('queued', 'running')
                       AND NOT (k.status = 'queued' AND k.run_at > @now AND k.runbook LIKE '@%'))
                      OR (k.status = 'running' AND k.locked_until >= @now)))
             AND NOT EXISTS (
               SELECT 1 FROM json_each(@limits) l
               WHERE l.key = j.runbook
                 AND (SELECT COUNT(*) FROM jobs r
                      WHERE r.runbook = j.runbook AND r.status = 'running' AND r.locked_until >= @now) >= l.value)
           ORDER BY j.run_at, j.sequence
           LIMIT 1`,
        )
        .get({ now: nowMs, limits: JSON.stringify(options.runbookLimits ?? {}) }) as Row | undefined;
      if (!row) return undefined;

      this.db
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
           WHERE sequence = ?`,
        )
        .run(workerId, nowMs + leaseMs, nowMs, row.sequence);
      return toJob(this.db.prepare('SELECT * FROM jobs WHERE sequence = ?').get(row.sequence) as Row, decodeJson);
    });
    return claim.immediate();
  }

  async extendLease(jobId: string, workerId: string, until: Date): Promise<boolean> {
    const result = this.db
      .prepare(`UPDATE jobs SET locked_until = ? WHERE id = ? AND locked_by = ? AND status = 'running'`)
      .run(until.getTime(), jobId, workerId);
    return result.changes === 1;
  }

  async finishJob(jobId: string, workerId: string, outcome: JobOutcome, now: Date): Promise<boolean> {
    const owned = `WHERE id = @id AND locked_by = @workerId AND status = 'running'`;
    const params = { id: jobId, workerId, now: now.getTime() };
    let result: Database.RunResult;
    switch (outcome.kind) {
      case 'succeeded':
        result = this.db
          .prepare(`UPDATE jobs SET status = 'succeeded', last_error = NULL, locked_by = NULL, locked_until = NULL,
                    updated_at = @now, finished_at = @now ${owned}`)
          .run(params);
        break;
      case 'retry':
        result = this.db
          .prepare(`UPDATE jobs SET status = 'queued', run_at = @runAt, last_error = @error, locked_by = NULL,
                    locked_until = NULL, updated_at = @now ${owned}`)
          .run({ ...params, runAt: outcome.runAt.getTime(), error: outcome.error });
        break;
      case 'backoff':
        result = this.db
          .prepare(`UPDATE jobs SET status = 'queued', run_at = @runAt, last_error = @error, attempts = attempts - 1,
                    backoffs = backoffs + 1, locked_by = NULL, locked_until = NULL, updated_at = @now ${owned}`)
          .run({ ...params, runAt: outcome.runAt.getTime(), error: outcome.reason });
        break;
      case 'failed':
        result = this.db
          .prepare(`UPDATE jobs SET status = 'failed', last_error = @error, locked_by = NULL, locked_until = NULL,
                    updated_at = @now, finished_at = @now ${owned}`)
          .run({ ...params, error: outcome.error });
        break;
    }
    return result.changes === 1;
  }

  async appendJobLogs(jobId: string, lines: JobLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    const insert = this.db.prepare(
      'INSERT INTO job_logs (job_id, at, attempt, level, message, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const line of lines) {
        insert.run(jobId, line.at.getTime(), line.attempt, line.level, line.message, line.data ? JSON.stringify(line.data) : null);
      }
    })();
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row, decodeJson) : undefined;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs
         WHERE (@status IS NULL OR status = @status) AND (@runbook IS NULL OR runbook = @runbook)
           AND (@account IS NULL OR customer_account_id = @account) AND (@app IS NULL OR app_reference = @app)
         ORDER BY sequence DESC LIMIT @limit`,
      )
      .all({
        status: filter.status ?? null,
        runbook: filter.runbook ?? null,
        account: filter.customerAccountId ?? null,
        app: filter.appReference ?? null,
        limit: filter.limit ?? 50,
      }) as Row[];
    return rows.map((row) => toJob(row, decodeJson));
  }

  async getJobLogs(id: string): Promise<JobLogLine[]> {
    const rows = this.db.prepare('SELECT * FROM job_logs WHERE job_id = ? ORDER BY id').all(id) as Row[];
    return rows.map((row) => toJobLogLine(row, decodeJson));
  }

  async retryJob(id: string, now: Date): Promise<JobRecord | undefined> {
    const result = this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', attempts = 0, backoffs = 0, run_at = ?, updated_at = ?, finished_at = NULL
         WHERE id = ? AND status = 'failed'`,
      )
      .run(now.getTime(), now.getTime(), id);
    return result.changes === 1 ? this.getJob(id) : undefined;
  }

  async nextRunAt(): Promise<Date | undefined> {
    const row = this.db
      .prepare(
        `SELECT MIN(CASE WHEN status = 'queued' THEN run_at ELSE locked_until END) AS due
         FROM jobs WHERE status IN ('queued', 'running')`,
      )
      .get() as Row;
    return row.due === null || row.due === undefined ? undefined : new Date(row.due as number);
  }
  async getCacheEntry(key: string, now: Date): Promise<CacheEntry | undefined> {
    const row = this.db.prepare('SELECT * FROM cache_entries WHERE key = ? AND expires_at > ?').get(key, now.getTime()) as Row | undefined;
    return row ? { ciphertext: row.ciphertext as Buffer, expiresAt: new Date(row.expires_at as number) } : undefined;
  }

  async putCacheEntry(key: string, entry: CacheEntry): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cache_entries (key, ciphertext, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET ciphertext = excluded.ciphertext, expires_at = excluded.expires_at`,
      )
      .run(key, entry.ciphertext, entry.expiresAt.getTime());
  }

  async deleteCacheEntry(key: string): Promise<void> {
    this.db.prepare('DELETE FROM cache_entries WHERE key = ?').run(key);
  }

  async tryAcquireLock(name: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO locks (name, owner, expires_at) VALUES (@name, @owner, @until)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE locks.expires_at <= @now OR locks.owner = @owner`,
      )
      .run({ name, owner, until: until.getTime(), now: now.getTime() });
    return result.changes === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
  }

  async getStep(jobId: string, name: string): Promise<StepRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM job_steps WHERE job_id = ? AND name = ?').get(jobId, name) as Row | undefined;
    return row ? toStep(row) : undefined;
  }

  async putStep(jobId: string, step: StepRecord): Promise<StepRecord> {
    this.db
      .prepare(
        `INSERT INTO job_steps (job_id, name, result, encrypted, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (job_id, name) DO NOTHING`,
      )
      .run(jobId, step.name, step.result, step.encrypted ? 1 : 0, step.createdAt.getTime());
    return (await this.getStep(jobId, step.name))!;
  }

  async saveStep(jobId: string, step: StepRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO job_steps (job_id, name, result, encrypted, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (job_id, name) DO UPDATE SET result = excluded.result, encrypted = excluded.encrypted, created_at = excluded.created_at`,
      )
      .run(jobId, step.name, step.result, step.encrypted ? 1 : 0, step.createdAt.getTime());
  }
}
