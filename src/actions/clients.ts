import type { XurrentConnection } from '../connection/xurrent-connection.js';
import { BackoffSignal, FailSignal } from '../engine/signals.js';
import type { Logger } from '../log.js';
import type { XurrentGraphqlClient } from '../xurrent/graphql-client.js';
import type { XurrentRateLimitedError } from '../xurrent/errors.js';

const NO_CONNECTION =
  'this runtime has no Xurrent connection; set XAC_PROVIDER_ACCOUNT, XAC_PROVIDER_CLIENT_ID, XAC_PROVIDER_CLIENT_SECRET and XAC_XURRENT_STAGE (or the endpoint URLs)';

/** Turns Xurrent's 429 and 503 into a backoff of the job, so that no worker sleeps through Retry-After. */
export function backoffOnRateLimit(error: XurrentRateLimitedError): never {
  const what = error.status === 429 ? 'Xurrent API rate limit hit' : 'Xurrent API not available';
  throw new BackoffSignal(`${what} (retry after: ${error.retryAfterSeconds} s)`, error.retryAfterSeconds);
}

/** Returns the runtime's connection, or fails the job naming the settings to add. */
export function requireConnection(connection: XurrentConnection | undefined, action: string): XurrentConnection {
  if (!connection) throw new FailSignal(`${action}: ${NO_CONNECTION}`);
  return connection;
}

/** Returns a client of the provider account whose rate limits reschedule the job. */
export function providerClient(connection: XurrentConnection | undefined, action: string, logger: Logger): XurrentGraphqlClient {
  return requireConnection(connection, action).provider({ onRateLimited: backoffOnRateLimit, logger });
}
