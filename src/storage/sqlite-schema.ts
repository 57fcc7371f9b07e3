/** Schema migrations of the SQLite store, applied in order and recorded in user_version. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    jti TEXT UNIQUE,
    origin TEXT,
    route TEXT NOT NULL,
    event TEXT NOT NULL,
    customer_account_id TEXT,
    app_reference TEXT,
    received_at INTEGER NOT NULL,
    summary TEXT NOT NULL,
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
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE data_keys (
    customer_account_id TEXT NOT NULL,
    app_reference TEXT NOT NULL,
    master_key_id TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (customer_account_id, app_reference)
  );

  CREATE TABLE secrets (
    customer_account_id TEXT NOT NULL,
    app_reference TEXT NOT NULL,
    name TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (customer_account_id, app_reference, name)
  );

  CREATE TABLE jobs (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    runbook TEXT NOT NULL,
    label TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    customer_account_id TEXT,
    app_reference TEXT,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    backoffs INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL,
    last_error TEXT,
    locked_by TEXT,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (delivery_id, runbook)
  );
  CREATE INDEX jobs_due ON jobs (status, run_at);
  CREATE INDEX jobs_customer_app ON jobs (customer_account_id, app_reference, status);

  CREATE TABLE job_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX job_logs_job ON job_logs (job_id);
  `,
  `
  CREATE TABLE cache_entries (
    key TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    expires_at INTEGER NOT NULL
  );

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );

  CREATE TABLE job_steps (
    job_id TEXT NOT NULL,
    name TEXT NOT NULL,
    result BLOB NOT NULL,
    encrypted INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, name)
  );
  `,
];
