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

/** What a runbook's handler receives. */
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
}

export type RunbookHandler<Trigger> = (ctx: RunbookContext<Trigger>) => unknown;
