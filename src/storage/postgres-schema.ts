/**
 * Schema migrations of the PostgreSQL store, applied in order and recorded in xac_schema_version.
 * Times are epoch milliseconds in BIGINT columns, as in the SQLite store, so that both stores
 * share one contract without time zone conversions.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    jti TEXT UNIQUE,
    origin TEXT,
    route TEXT NOT NULL,
    event TEXT NOT NULL,
    customer_account_id TEXT,
    app_reference TEXT,
    received_at BIGINT NOT NULL,
    summary JSONB NOT NULL,
    status TEXT NOT NULL,
    note TEXT
  );
  CREATE INDEX deliveries_origin ON deliveries (origin);
  CREATE INDEX deliveries_received_at ON deliveries (received_at);

  CREATE TABLE provider_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    algorithm TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    issuer TEXT NOT NULL,
    audience TEXT,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );

  CREATE TABLE data_keys (
    customer_account_id TEXT NOT NULL,
    app_reference TEXT NOT NULL,
    master_key_id TEXT NOT NULL,
    wrapped_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (customer_account_id, app_reference)
  );

  CREATE TABLE secrets (
    customer_account_id TEXT NOT NULL,
    app_reference TEXT NOT NULL,
    name TEXT NOT NULL,
    ciphertext BYTEA NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (customer_account_id, app_reference, name)
  );

  CREATE TABLE jobs (
    sequence BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    runbook TEXT NOT NULL,
    label TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    customer_account_id TEXT,
    app_reference TEXT,
    trigger JSONB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    backoffs INTEGER NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    last_error TEXT,
    locked_by TEXT,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    UNIQUE (delivery_id, runbook)
  );
  CREATE INDEX jobs_due ON jobs (status, run_at);
  CREATE INDEX jobs_customer_app ON jobs (customer_account_id, app_reference, status);

  CREATE TABLE job_logs (
    id BIGSERIAL PRIMARY KEY,
    job_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    data JSONB
  );
  CREATE INDEX job_logs_job ON job_logs (job_id);

  CREATE TABLE cache_entries (
    key TEXT PRIMARY KEY,
    ciphertext BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
  );

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );

  CREATE TABLE job_steps (
    job_id TEXT NOT NULL,
    name TEXT NOT NULL,
    result BYTEA NOT NULL,
    encrypted BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, name)
  );
  `,
];
