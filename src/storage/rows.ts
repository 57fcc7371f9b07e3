/**
 * Row mappers shared by the SQLite and PostgreSQL stores. Both keep times as epoch
 * milliseconds. pg returns BIGINT columns as strings, so the mappers pass them through `Number()`.
 */
import type {
  DataKeyRecord,
  DeliveryRecord,
  JobLogLine,
  JobRecord,
  SecretListing,
  SecretRow,
  StepRecord,
  StoredProviderPolicy,
} from './store.js';

export type Row = Record<string, unknown>;

/**
 * Decoder of a JSON column. SQLite stores JSON as TEXT, which needs `JSON.parse`, but pg
 * returns JSONB columns parsed already.
 */
export type JsonColumnDecoder = (value: unknown) => unknown;

function optional<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

function date(value: unknown): Date {
  return new Date(Number(value));
}

function optionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : date(value);
}

export function toDelivery(row: Row, decodeJson: JsonColumnDecoder): DeliveryRecord {
  return {
    id: row.id as string,
    jti: optional<string>(row.jti),
    origin: optional<string>(row.origin),
    route: row.route as string,
    event: row.event as string,
    customerAccountId: optional<string>(row.customer_account_id),
    appReference: optional<string>(row.app_reference),
    receivedAt: date(row.received_at),
    summary: decodeJson(row.summary),
    status: row.status as DeliveryRecord['status'],
    note: optional<string>(row.note),
  };
}

export function toProviderPolicy(row: Row): StoredProviderPolicy {
  return {
    algorithm: row.algorithm as string,
    publicKeyPem: row.public_key_pem as string,
    issuer: row.issuer as string,
    audience: (row.audience as string | null) ?? null,
    source: row.source as StoredProviderPolicy['source'],
    updatedAt: date(row.updated_at),
  };
}

export function toDataKey(row: Row): DataKeyRecord {
  return {
    customerAccountId: row.customer_account_id as string,
    appReference: row.app_reference as string,
    masterKeyId: row.master_key_id as string,
    wrappedKey: row.wrapped_key as Buffer,
    createdAt: date(row.created_at),
  };
}

export function toSecretListing(row: Row): SecretListing {
  return {
    customerAccountId: row.customer_account_id as string,
    appReference: row.app_reference as string,
    name: row.name as string,
    updatedAt: date(row.updated_at),
  };
}

export function toSecretRow(row: Row): SecretRow {
  return { ...toSecretListing(row), ciphertext: row.ciphertext as Buffer };
}

/** Maps a step row. `encrypted` is an INTEGER 0 or 1 in SQLite and a BOOLEAN in PostgreSQL, and `Number()` reads both. */
export function toStep(row: Row): StepRecord {
  return {
    name: row.name as string,
    result: row.result as Buffer,
    encrypted: Number(row.encrypted) === 1,
    createdAt: date(row.created_at),
  };
}

export function toJob(row: Row, decodeJson: JsonColumnDecoder): JobRecord {
  return {
    sequence: Number(row.sequence),
    id: row.id as string,
    runbook: row.runbook as string,
    label: row.label as string,
    deliveryId: row.delivery_id as string,
    customerAccountId: optional<string>(row.customer_account_id),
    appReference: optional<string>(row.app_reference),
    trigger: decodeJson(row.trigger),
    status: row.status as JobRecord['status'],
    attempts: row.attempts as number,
    maxAttempts: row.max_attempts as number,
    backoffs: row.backoffs as number,
    runAt: date(row.run_at),
    lastError: optional<string>(row.last_error),
    lockedBy: optional<string>(row.locked_by),
    lockedUntil: optionalDate(row.locked_until),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    finishedAt: optionalDate(row.finished_at),
  };
}

export function toJobLogLine(row: Row, decodeJson: JsonColumnDecoder): JobLogLine {
  return {
    at: date(row.at),
    attempt: row.attempt as number,
    level: row.level as JobLogLine['level'],
    message: row.message as string,
    ...(row.data ? { data: decodeJson(row.data) as Record<string, unknown> } : {}),
  };
}
