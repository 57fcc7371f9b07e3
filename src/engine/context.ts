import type { XurrentConnection } from '../connection/xurrent-connection.js';
import type { Logger } from '../log.js';
import type { XurrentRateLimitedError } from '../xurrent/errors.js';
import { oauthApplication } from '../actions/token-actions.js';
import { resolveTarget } from '../actions/target.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { RunbookContext, RunbookLog } from '../solution/context.js';
import type { JobLogLine, JobRecord } from '../storage/store.js';
import { BackoffSignal, FailSignal } from './signals.js';

export interface ContextDeps {
  solution: Solution;
  secretStore: SecretStore;
  now: () => Date;
  connection?: XurrentConnection;
}

const NO_CONNECTION =
  'this runtime has no Xurrent connection; set XAC_PROVIDER_ACCOUNT, XAC_PROVIDER_CLIENT_ID, XAC_PROVIDER_CLIENT_SECRET and XAC_XURRENT_STAGE (or the endpoint URLs)';

/** Turns Xurrent's 429 and 503 into a backoff of the job, so that no worker sleeps through Retry-After. */
function backoffOnRateLimit(error: XurrentRateLimitedError): never {
  const what = error.status === 429 ? 'Xurrent API rate limit hit' : 'Xurrent API not available';
  throw new BackoffSignal(`${what} (retry after: ${error.retryAfterSeconds} s)`, error.retryAfterSeconds);
}

export interface BuiltContext {
  ctx: RunbookContext<unknown>;
  /** Lines written through ctx.log during this run, to be stored with the job. */
  logLines: JobLogLine[];
}

const MAX_LOG_LINES_PER_RUN = 500;

export function buildContext(deps: ContextDeps, job: JobRecord, logger: Logger): BuiltContext {
  const logLines: JobLogLine[] = [];
  let dropped = 0;

  const write = (level: JobLogLine['level']) => (message: string, data?: Record<string, unknown>) => {
    logger[level](data ?? {}, message);
    if (logLines.length >= MAX_LOG_LINES_PER_RUN) {
      dropped++;
      logLines[logLines.length - 1] = {
        at: deps.now(),
        attempt: job.attempts,
        level: 'warn',
        message: `${dropped + 1} more log lines were not stored; the limit is ${MAX_LOG_LINES_PER_RUN} per run`,
      };
      return;
    }
    logLines.push({ at: deps.now(), attempt: job.attempts, level, message: String(message), ...(data ? { data } : {}) });
  };

  const log: RunbookLog = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };

  const ctx: RunbookContext<unknown> = {
    trigger: job.trigger,
    job: {
      id: job.id,
      runbook: job.runbook,
      label: job.label,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      backoffs: job.backoffs,
    },
    log,
    logger,
    backoff(reason, options) {
      throw new BackoffSignal(reason, options?.retryAfter);
    },
    fail(message) {
      throw new FailSignal(message);
    },
    clientCredentialsToken: (target) => oauthApplication(deps, job, 'client_credentials', target),
    authorizationCodeToken: (target) => oauthApplication(deps, job, 'authorization_code', target),
    async xurrent(target) {
      if (!deps.connection) throw new FailSignal(`ctx.xurrent(): ${NO_CONNECTION}`);
      const { customerAccountId, appReference } = resolveTarget(job, target, 'xurrent');
      const application = await oauthApplication(deps, job, 'client_credentials', { customerAccountId, appReference });
      return deps.connection.customer(customerAccountId, appReference, application, { onRateLimited: backoffOnRateLimit, logger });
    },
    provider() {
      if (!deps.connection) throw new FailSignal(`ctx.provider(): ${NO_CONNECTION}`);
      return deps.connection.provider({ onRateLimited: backoffOnRateLimit, logger });
    },
  };
  return { ctx, logLines };
}
