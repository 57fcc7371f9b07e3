import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { dataKeyMissingError } from './data-key-check.js';
import { cacheKeyPrefix } from './store.js';
import type {
  CacheEntry,
  ClaimOptions,
  DataKeyRecord,
  DeliveryRecord,
  JobFilter,
  JobLogLine,
  JobOutcome,
  JobRecord,
  PurgeOptions,
  PurgeResult,
  RecordDeliveryInput,
  SecretListing,
  SecretRow,
  StepRecord,
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

/** pg returns JSONB columns parsed already. */
const decodeJson: JsonColumnDecoder = (value) => value;
type Queryable = pg.Pool | pg.PoolClient;

export interface PostgresStoreOptions {
  /** A `postgres://` connection string. */
  connectionString: string;
  /** Schema for the tables; created when missing. Default `public`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// A fixed key so that processes migrating at once wait for each other.
const MIGRATION_LOCK_KEY = 4_780_001;
// First half of the advisory lock that serializes the claims of one runbook with a limit.
const RUNBOOK_LOCK_CLASS = 4_780_002;

/**
 * The store for several processes on several machines. Job claims use `FOR UPDATE SKIP LOCKED`,
 * so a worker skips rows that another worker is claiming instead of waiting for them.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema: string;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new Error(`PostgreSQL schema name "${this.schema}" is invalid; use lower-case letters, digits and "_"`);
    }
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      options: `-c search_path=${this.schema}`,
    });
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query('CREATE TABLE IF NOT EXISTS xac_schema_version (version INTEGER NOT NULL)');
      const result = await client.query('SELECT version FROM xac_schema_version');
      let version = result.rows.length > 0 ? Number(result.rows[0].version) : 0;
      if (result.rows.length === 0) await client.query('INSERT INTO xac_schema_version (version) VALUES (0)');
      for (; version < POSTGRES_MIGRATIONS.length; version++) {
        await client.query(POSTGRES_MIGRATIONS[version]!);
        await client.query('UPDATE xac_schema_version SET version = $1', [version + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async rows(db: Queryable, text: string, values: unknown[] = []): Promise<Row[]> {
    return (await db.query(text, values)).rows as Row[];
  }

  async recordDelivery(input: RecordDeliveryInput): Promise<{ duplicate: boolean }> {
    const { delivery } = input;
    return this.transaction(async (client) => {
      const seen = await this.rows(
        client,
        `SELECT 1 FROM deliveries
         WHERE id = $1 OR ($2::text IS NOT NULL AND jti = $2) OR ($3::text IS NOT NULL AND (id = $3 OR origin = $3))
         LIMIT 1`,
        [delivery.id, delivery.jti ?? null, delivery.origin ?? null],
      );
      if (seen.length > 0) return { duplicate: true };

      // A concurrent insert of the same id or jti ends here as a duplicate, not as an error.
      const inserted = await this.rows(
        client,
        `INSERT INTO deliveries (id, jti, origin, route, event, customer_account_id, app_reference, received_at, summary, status, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING RETURNING id`,
        [
          delivery.id,
          delivery.jti ?? null,
          delivery.origin ?? null,
          delivery.route,
          delivery.event,
          delivery.customerAccountId ?? null,
          delivery.appReference ?? null,
          delivery.receivedAt.getTime(),
          JSON.stringify(delivery.summary ?? null),
          delivery.status,
          delivery.note ?? null,
        ],
      );
      if (inserted.length === 0) return { duplicate: true };

      for (const secret of input.secrets) {
        // FOR SHARE locks the key row until commit, so that a purge cannot destroy it in between.
        const key = await this.rows(
          client,
          'SELECT 1 FROM data_keys WHERE customer_account_id = $1 AND app_reference = $2 FOR SHARE',
          [secret.customerAccountId, secret.appReference],
        );
        if (key.length === 0) throw dataKeyMissingError(secret);
      }
      for (const secret of input.secrets) {
        await client.query(
          `INSERT INTO secrets (customer_account_id, app_reference, name, ciphertext, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (customer_account_id, app_reference, name)
           DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
          [secret.customerAccountId, secret.appReference, secret.name, secret.ciphertext, delivery.receivedAt.getTime()],
        );
      }
      for (const job of input.jobs) {
        await client.query(
          `INSERT INTO jobs (id, runbook, label, delivery_id, customer_account_id, app_reference, trigger, status,
                             max_attempts, run_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $10, $10)
           ON CONFLICT (delivery_id, runbook) DO NOTHING`,
          [
            job.id,
            job.runbook,
            job.label,
            job.deliveryId,
            job.customerAccountId ?? null,
            job.appReference ?? null,
            JSON.stringify(job.trigger),
            job.maxAttempts,
            job.runAt.getTime(),
            delivery.receivedAt.getTime(),
          ],
        );
      }
      return { duplicate: false };
    });
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM deliveries WHERE id = $1', [id]);
    return row ? toDelivery(row, decodeJson) : undefined;
  }

  async listDeliveries(limit: number): Promise<DeliveryRecord[]> {
    return (await this.rows(this.pool, 'SELECT * FROM deliveries ORDER BY received_at DESC LIMIT $1', [limit])).map((row) => toDelivery(row, decodeJson));
  }

  async getProviderPolicy(): Promise<StoredProviderPolicy | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM provider_policy WHERE id = 1');
    return row ? toProviderPolicy(row) : undefined;
  }

  async setProviderPolicy(policy: StoredProviderPolicy): Promise<void> {
    await this.pool.query(
      `INSERT INTO provider_policy (id, algorithm, public_key_pem, issuer, audience, source, updated_at)
       VALUES (1, $1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET algorithm = excluded.algorithm, public_key_pem = excluded.public_key_pem,
         issuer = excluded.issuer, audience = excluded.audience, source = excluded.source, updated_at = excluded.updated_at`,
      [policy.algorithm, policy.publicKeyPem, policy.issuer, policy.audience ?? null, policy.source, policy.updatedAt.getTime()],
    );
  }

  async ensureDataKey(record: DataKeyRecord): Promise<DataKeyRecord> {
    await this.pool.query(
      `INSERT INTO data_keys (customer_account_id, app_reference, master_key_id, wrapped_key, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [record.customerAccountId, record.appReference, record.masterKeyId, record.wrappedKey, record.createdAt.getTime()],
    );
    return (await this.getDataKey(record.customerAccountId, record.appReference))!;
  }

  async getDataKey(customerAccountId: string, appReference: string): Promise<DataKeyRecord | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM data_keys WHERE customer_account_id = $1 AND app_reference = $2', [
      customerAccountId,
      appReference,
    ]);
    return row ? toDataKey(row) : undefined;
  }

  async listDataKeys(): Promise<DataKeyRecord[]> {
    return (await this.rows(this.pool, 'SELECT * FROM data_keys')).map(toDataKey);
  }

  async rewrapDataKey(record: DataKeyRecord, expectedMasterKeyId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE data_keys SET master_key_id = $1, wrapped_key = $2
       WHERE customer_account_id = $3 AND app_reference = $4 AND master_key_id = $5`,
      [record.masterKeyId, record.wrappedKey, record.customerAccountId, record.appReference, expectedMasterKeyId],
    );
    return result.rowCount === 1;
  }

  async readSecrets(customerAccountId: string, appReference: string): Promise<SecretRow[]> {
    const rows = await this.rows(this.pool, 'SELECT * FROM secrets WHERE customer_account_id = $1 AND app_reference = $2', [
      customerAccountId,
      appReference,
    ]);
    return rows.map(toSecretRow);
  }

  async listSecrets(filter: { customerAccountId?: string; appReference?: string } = {}): Promise<SecretListing[]> {
    const rows = await this.rows(
      this.pool,
      `SELECT customer_account_id, app_reference, name, updated_at FROM secrets
       WHERE ($1::text IS NULL OR customer_account_id = $1) AND ($2::text IS NULL OR app_reference = $2)
       ORDER BY customer_account_id, app_reference, name`,
      [filter.customerAccountId ?? null, filter.appReference ?? null],
    );
    return rows.map(toSecretListing);
  }

  async purgeCustomerApp(customerAccountId: string, appReference: string, options: PurgeOptions = {}): Promise<PurgeResult> {
    const cutoff = options.updatedUpTo?.getTime() ?? null;
    return this.transaction(async (client) => {
      // Locking the key row first makes a concurrent delivery for the pair wait or see it gone.
      await client.query('SELECT 1 FROM data_keys WHERE customer_account_id = $1 AND app_reference = $2 FOR UPDATE', [
        customerAccountId,
        appReference,
      ]);
      const deleted = await client.query(
        `DELETE FROM secrets WHERE customer_account_id = $1 AND app_reference = $2 AND ($3::bigint IS NULL OR updated_at <= $3)`,
        [customerAccountId, appReference, cutoff],
      );
      const [kept] = await this.rows(client, 'SELECT COUNT(*) AS count FROM secrets WHERE customer_account_id = $1 AND app_reference = $2', [
        customerAccountId,
        appReference,
      ]);
      const keptSecrets = Number(kept?.count ?? 0);
      let destroyed = 0;
      if (keptSecrets === 0) {
        const result = await client.query('DELETE FROM data_keys WHERE customer_account_id = $1 AND app_reference = $2', [
          customerAccountId,
          appReference,
        ]);
        destroyed = result.rowCount ?? 0;
      }
      const steps = await client.query(
        `DELETE FROM job_steps WHERE job_id IN (
           SELECT id FROM jobs WHERE customer_account_id = $1 AND app_reference = $2
             AND status IN ('succeeded', 'failed') AND ($3::bigint IS NULL OR created_at <= $3))`,
        [customerAccountId, appReference, cutoff],
      );
      let deletedCacheEntries = 0;
      if (destroyed === 1) {
        const prefix = cacheKeyPrefix(customerAccountId, appReference);
        const cache = await client.query('DELETE FROM cache_entries WHERE left(key, length($1)) = $1', [prefix]);
        deletedCacheEntries = cache.rowCount ?? 0;
      }
      return {
        deletedSecrets: deleted.rowCount ?? 0,
        deletedSteps: steps.rowCount ?? 0,
        deletedCacheEntries,
        keptSecrets,
        dataKeyDestroyed: destroyed === 1,
      };
    });
  }

  async claimJob(workerId: string, leaseMs: number, now: Date, options: ClaimOptions = {}): Promise<JobRecord | undefined> {
    const limits = options.runbookLimits ?? {};
    if (Object.keys(limits).length === 0) {
      const [row] = await this.rows(this.pool, `${claimCandidateSql} ${claimUpdateSql}`, [now.getTime(), '{}', [], workerId, now.getTime() + leaseMs]);
      return row ? toJob(row, decodeJson) : undefined;
    }

    // SKIP LOCKED lets two claims see the same count of running jobs. So a claim of a runbook with
    // a limit takes an advisory lock and counts again. When the runbook is full, the next one is tried.
    const full: string[] = [];
    for (let round = 0; round <= Object.keys(limits).length; round++) {
      const outcome = await this.transaction(async (client) => {
        const [candidate] = await this.rows(client, `${claimCandidateSql} SELECT sequence, runbook FROM candidate`, [
          now.getTime(),
          JSON.stringify(limits),
          full,
        ]);
        if (!candidate) return { kind: 'none' as const };
        const runbook = candidate.runbook as string;
        const limit = limits[runbook];
        if (limit !== undefined) {
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RUNBOOK_LOCK_CLASS, runbook]);
          const [running] = await this.rows(
            client,
            `SELECT COUNT(*) AS count FROM jobs WHERE runbook = $1 AND status = 'running' AND locked_until >= $2`,
            [runbook, now.getTime()],
          );
          if (Number(running?.count ?? 0) >= limit) return { kind: 'full' as const, runbook };
        }
        const [row] = await this.rows(
          client,
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3, updated_at = $1
           WHERE sequence = $4 RETURNING *`,
          [now.getTime(), workerId, now.getTime() + leaseMs, candidate.sequence],
        );
        return { kind: 'claimed' as const, job: toJob(row!, decodeJson) };
      });
      if (outcome.kind === 'none') return undefined;
      if (outcome.kind === 'claimed') return outcome.job;
      full.push(outcome.runbook);
    }
    return undefined;
  }

  async extendLease(jobId: string, workerId: string, until: Date): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND status = 'running'`,
      [until.getTime(), jobId, workerId],
    );
    return result.rowCount === 1;
  }

  async finishJob(jobId: string, workerId: string, outcome: JobOutcome, now: Date): Promise<boolean> {
    const owned = `WHERE id = $1 AND locked_by = $2 AND status = 'running'`;
    const base = [jobId, workerId, now.getTime()];
    let result: pg.QueryResult;
    switch (outcome.kind) {
      case 'succeeded':
        result = await this.pool.query(
          `UPDATE jobs SET status = 'succeeded', last_error = NULL, locked_by = NULL, locked_until = NULL,
           updated_at = $3, finished_at = $3 ${owned}`,
          base,
        );
        break;
      case 'retry':
        result = await this.pool.query(
          `UPDATE jobs SET status = 'queued', run_at = $4, last_error = $5, locked_by = NULL, locked_until = NULL,
           updated_at = $3 ${owned}`,
          [...base, outcome.runAt.getTime(), outcome.error],
        );
        break;
      case 'backoff':
        result = await this.pool.query(
          `UPDATE jobs SET status = 'queued', run_at = $4, last_error = $5, attempts = attempts - 1,
           backoffs = backoffs + 1, locked_by = NULL, locked_until = NULL, updated_at = $3 ${owned}`,
          [...base, outcome.runAt.getTime(), outcome.reason],
        );
        break;
      case 'failed':
        result = await this.pool.query(
          `UPDATE jobs SET status = 'failed', last_error = $4, locked_by = NULL, locked_until = NULL,
           updated_at = $3, finished_at = $3 ${owned}`,
          [...base, outcome.error],
        );
        break;
    }
    return result.rowCount === 1;
  }

  async appendJobLogs(jobId: string, lines: JobLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.transaction(async (client) => {
      for (const line of lines) {
        await client.query('INSERT INTO job_logs (job_id, at, attempt, level, message, data) VALUES ($1, $2, $3, $4, $5, $6)', [
          jobId,
          line.at.getTime(),
          line.attempt,
          line.level,
          line.message,
          line.data ? JSON.stringify(line.data) : null,
        ]);
      }
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM jobs WHERE id = $1', [id]);
    return row ? toJob(row, decodeJson) : undefined;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    const rows = await this.rows(
      this.pool,
      `SELECT * FROM jobs
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR runbook = $2)
         AND ($3::text IS NULL OR customer_account_id = $3) AND ($4::text IS NULL OR app_reference = $4)
       ORDER BY sequence DESC LIMIT $5`,
      [filter.status ?? null, filter.runbook ?? null, filter.customerAccountId ?? null, filter.appReference ?? null, filter.limit ?? 50],
    );
    return rows.map((row) => toJob(row, decodeJson));
  }

  async getJobLogs(id: string): Promise<JobLogLine[]> {
    const rows = await this.rows(this.pool, 'SELECT * FROM job_logs WHERE job_id = $1 ORDER BY id', [id]);
    return rows.map((row) => toJobLogLine(row, decodeJson));
  }

  async retryJob(id: string, now: Date): Promise<JobRecord | undefined> {
    const [row] = await this.rows(
      this.pool,
      `UPDATE jobs SET status = 'queued', attempts = 0, backoffs = 0, run_at = $1, updated_at = $1, finished_at = NULL
       WHERE id = $2 AND status = 'failed' RETURNING *`,
      [now.getTime(), id],
    );
    return row ? toJob(row, decodeJson) : undefined;
  }

  async nextRunAt(): Promise<Date | undefined> {
    const [row] = await this.rows(
      this.pool,
      `SELECT MIN(CASE WHEN status = 'queued' THEN run_at ELSE locked_until END) AS due
       FROM jobs WHERE status IN ('queued', 'running')`,
    );
    return row?.due === null || row?.due === undefined ? undefined : new Date(Number(row.due));
  }

  async getCacheEntry(key: string, now: Date): Promise<CacheEntry | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM cache_entries WHERE key = $1 AND expires_at > $2', [key, now.getTime()]);
    return row ? { ciphertext: row.ciphertext as Buffer, expiresAt: new Date(Number(row.expires_at)) } : undefined;
  }

  async putCacheEntry(key: string, entry: CacheEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO cache_entries (key, ciphertext, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET ciphertext = excluded.ciphertext, expires_at = excluded.expires_at`,
      [key, entry.ciphertext, entry.expiresAt.getTime()],
    );
  }

  async deleteCacheEntry(key: string): Promise<void> {
    await this.pool.query('DELETE FROM cache_entries WHERE key = $1', [key]);
  }

  async tryAcquireLock(name: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO locks (name, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE locks.expires_at <= $4 OR locks.owner = $2`,
      [name, owner, until.getTime(), now.getTime()],
    );
    return result.rowCount === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.pool.query('DELETE FROM locks WHERE name = $1 AND owner = $2', [name, owner]);
  }

  async getStep(jobId: string, name: string): Promise<StepRecord | undefined> {
    const [row] = await this.rows(this.pool, 'SELECT * FROM job_steps WHERE job_id = $1 AND name = $2', [jobId, name]);
    return row ? toStep(row) : undefined;
  }

  async putStep(jobId: string, step: StepRecord): Promise<StepRecord> {
    await this.pool.query(
      `INSERT INTO job_steps (job_id, name, result, encrypted, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (job_id, name) DO NOTHING`,
      [jobId, step.name, step.result, step.encrypted, step.createdAt.getTime()],
    );
    return (await this.getStep(jobId, step.name))!;
  }

  async saveStep(jobId: string, step: StepRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO job_steps (job_id, name, result, encrypted, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (job_id, name) DO UPDATE SET result = excluded.result, encrypted = excluded.encrypted, created_at = excluded.created_at`,
      [jobId, step.name, step.result, step.encrypted, step.createdAt.getTime()],
    );
  }
}

/**
 * The due job to claim next, as a CTE named candidate. Parameters: $1 now, $2 JSON object of
 * runbook limits, $3 runbooks to skip. A job waits while an earlier job of the same customer
 * account and app is unfinished, so an install runs before its update and its removal. An
 * internal job that is not due yet (a purge after a retention time) does not hold a reinstall back.
 */
const claimCandidateSql = `
  WITH candidate AS (
    SELECT j.sequence, j.runbook FROM jobs j
    WHERE ((j.status = 'queued' AND j.run_at <= $1) OR (j.status = 'running' AND j.locked_until < $1))
      AND NOT (j.runbook = ANY($3::text[]))
      AND NOT EXISTS (
        SELECT 1 FROM jobs k
        WHERE k.customer_account_id = j.customer_account_id AND k.app_reference = j.app_reference
          AND k.sequence <> j.sequence
          AND ((k.sequence < j.sequence AND k.status IN ('queued', 'running')
                AND NOT (k.status = 'queued' AND k.run_at > $1 AND k.runbook LIKE '@%'))
               OR (k.status = 'running' AND k.locked_until >= $1)))
      AND NOT EXISTS (
        SELECT 1 FROM jsonb_each_text($2::jsonb) l
        WHERE l.key = j.runbook
          AND (SELECT COUNT(*) FROM jobs r
               WHERE r.runbook = j.runbook AND r.status = 'running' AND r.locked_until >= $1) >= l.value::int)
    ORDER BY j.run_at, j.sequence
    LIMIT 1
    FOR UPDATE SKIP LOCKED)`;

/** Claims the candidate for worker $4 until $5. */
const claimUpdateSql = `
  UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = $4, locked_until = $5, updated_at = $1
  FROM candidate WHERE jobs.sequence = candidate.sequence
  RETURNING jobs.*`;
