import type { z } from 'zod';
import type { Logger } from '../log.js';
import type { XurrentGraphqlClient } from '../xurrent/graphql-client.js';

/** Credentials of an OAuth application that Xurrent created in a customer account for an app. */
export interface OauthApplicationCredentials {
  oauthApplicationNodeId: string;
  clientId: string;
  clientSecret: string;
}

/** Names a customer account and app when the trigger does not, or to act for another one. */
export interface CustomerApp {
  customerAccountId: string;
  appReference: string;
}

export interface BackoffOptions {
  /** Seconds until the job runs again; the engine's default backoff when absent. */
  retryAfter?: number;
}

/** Names a customer account and app; both, or neither to use the trigger's. */
export interface AppInstanceTarget {
  customerAccountId?: string;
  appReference?: string;
}

export interface RetrieveAppConfigOptions<Schema extends z.ZodObject> extends AppInstanceTarget {
  /**
   * One field per form field id. Fields marked with `secret()` are read from the stored secret
   * form fields, all others from the app instance's custom fields. A field that accepts
   * undefined (`.optional()`, `.default()`) is optional; a custom field whose value is null
   * counts as missing.
   */
  schema: Schema;
  /** Seconds until the job runs again while a required value is missing. Default 60. */
  backoff?: number;
  /**
   * Backoffs of the job after which a missing required value fails it. Default: the solution's
   * `secretsWait.attempts` (10 unless set).
   */
  maxBackoffs?: number;
}

/** The app instance's configuration and switches, as `ctx.retrieveAppConfig` returns them. */
export interface AppConfig<Config> {
  config: Config;
  /** The provider's switch. */
  disabled: boolean;
  /** The customer's switch. */
  enabledByCustomer: boolean;
  suspended: boolean;
  suspensionComment: string | null;
  /** Node ID of the app instance in the provider account. */
  appInstanceId: string;
}

export interface UpdateAppConfigOptions extends AppInstanceTarget {
  /** Custom field values by field id; fields not named keep their values. Visible to the customer. */
  customFields?: Record<string, unknown>;
  disabled?: boolean;
  suspension?: { suspended: boolean; comment?: string | null };
}

export interface AsyncUrlsOptions {
  /** Seconds until the job runs again while a URL is not ready. Default 60. */
  backoff?: number;
  /**
   * Polls (one GET of each URL that is not ready yet, once per run) over all runs of the job,
   * after which it fails. Default 1000.
   */
  maxIterations?: number;
}

export interface AsyncUrlResult {
  url: string;
  /** The parsed JSON document, for Xurrent's async queries `{ data: ... }` or `{ errors: [...] }`. */
  body: unknown;
}

export interface JobInfo {
  id: string;
  runbook: string;
  label: string;
  /** 1 on the first run; backoffs do not count. */
  attempt: number;
  maxAttempts: number;
  /** How many times the job was rescheduled through `ctx.backoff`. */
  backoffs: number;
}

export interface RunbookLog {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Context that a runbook's handler receives. */
export interface RunbookContext<Trigger> {
  trigger: Trigger;
  job: JobInfo;
  /** Lines are stored with the job (`xac jobs show`) and written to the process log. Never log secrets. */
  log: RunbookLog;
  /** The process logger with the job's context ids bound. */
  logger: Logger;
  /** Reschedules the job without using up a retry. Throws, so nothing after it runs. */
  backoff(reason: string, options?: BackoffOptions): never;
  /** Fails the job now, without further retries. Throws. */
  fail(message: string): never;
  clientCredentialsToken(target?: CustomerApp): Promise<OauthApplicationCredentials>;
  authorizationCodeToken(target?: CustomerApp): Promise<OauthApplicationCredentials>;
  /**
   * A GraphQL client of the customer account, authenticated with the app's client credentials
   * application there. A 429 or 503 from Xurrent reschedules the job after Retry-After.
   */
  xurrent(target?: CustomerApp): Promise<XurrentGraphqlClient>;
  /** A GraphQL client of the provider account, with the provider's credentials. */
  provider(): XurrentGraphqlClient;
  /**
   * Runs fn once per job: its result is sealed and recorded, and a later run of the job (after
   * a backoff, a retry or a crash) returns the recorded result without calling fn. The result
   * must survive JSON; it is returned as JSON.parse gives it back, on the first run too. Names
   * are unique within a run; names starting with `@` are reserved.
   */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /**
   * Reads the app instance's configuration: secret fields from the stored secrets, other fields
   * from its custom fields in the provider account. While a required value is missing the job
   * backs off, and fails after `maxBackoffs`; an unknown instance or an invalid value fails it.
   */
  retrieveAppConfig<Schema extends z.ZodObject>(options: RetrieveAppConfigOptions<Schema>): Promise<AppConfig<z.output<Schema>>>;
  /**
   * Writes custom fields and switches of the app instance with appInstanceUpdate, as a step:
   * a later run of the job does not send it again. Returns the instance's node ID. Xurrent's
   * validation errors fail the job, naming each field.
   */
  updateAppConfig(options: UpdateAppConfigOptions): Promise<string>;
  /**
   * Yields each URL's JSON document once it is ready (HTTP 200 with a body other than empty or
   * `{}`), in the order they become ready. Each run of the job polls the URLs not ready yet once
   * and backs off while any is left. The next run first yields the documents found before, from
   * the job's sealed step records, and polls only the rest.
   */
  asyncUrls(urls: readonly string[], options?: AsyncUrlsOptions): AsyncIterable<AsyncUrlResult>;
}

export type RunbookHandler<Trigger> = (ctx: RunbookContext<Trigger>) => unknown;
