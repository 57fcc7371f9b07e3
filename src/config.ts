import { ConfigError } from './errors.js';
import type { ReceiverSettings } from './runtime.js';
import { ACCOUNT_PLACEHOLDER } from './xurrent/environments.js';

export interface ProcessConfig {
  databasePath: string;
  /** PostgreSQL URL; when set, the store lives there instead of in the SQLite file. */
  databaseUrl?: string;
  databaseSchema?: string;
  host: string;
  port: number;
  settings: Partial<ReceiverSettings>;
  worker: { leaseMs: number; pollIntervalMs: number };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${text} is invalid; use a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Reads the process settings from XAC_* environment variables. */
export function processConfigFromEnv(env: Record<string, string | undefined>): ProcessConfig {
  const pattern = env.XAC_XURRENT_ACCOUNT_URL_PATTERN;
  if (pattern !== undefined && pattern !== '' && !pattern.includes(ACCOUNT_PLACEHOLDER)) {
    throw new ConfigError(
      `XAC_XURRENT_ACCOUNT_URL_PATTERN=${pattern} has no ${ACCOUNT_PLACEHOLDER} placeholder; write it like https://${ACCOUNT_PLACEHOLDER}.xurrent.com`,
    );
  }
  return {
    databasePath: env.XAC_DATABASE || '.xac/xac.sqlite',
    ...(env.XAC_DATABASE_URL ? { databaseUrl: env.XAC_DATABASE_URL } : {}),
    ...(env.XAC_DATABASE_SCHEMA ? { databaseSchema: env.XAC_DATABASE_SCHEMA } : {}),
    host: env.XAC_HOST || '127.0.0.1',
    port: integer(env, 'XAC_PORT', 4780, 0, 65535),
    settings: {
      maxTokenAgeSeconds: integer(env, 'XAC_MAX_TOKEN_AGE_SECONDS', 300, 10, 86_400),
      bodyLimitBytes: integer(env, 'XAC_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      ...(pattern ? { accountUrlPattern: pattern } : {}),
    },
    worker: {
      leaseMs: integer(env, 'XAC_JOB_LEASE_MS', 60_000, 1000, 3_600_000),
      pollIntervalMs: integer(env, 'XAC_POLL_INTERVAL_MS', 1000, 10, 60_000),
    },
  };
}
