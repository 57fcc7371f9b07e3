import type { XurrentConnection } from '../connection/xurrent-connection.js';
import type { Logger } from '../log.js';
import { retrieveAppConfig } from '../actions/app-config.js';
import { pollAsyncUrls } from '../actions/async-urls.js';
import { updateAppConfig } from '../actions/update-app-config.js';
import { backoffOnRateLimit, providerClient, requireConnection } from '../actions/clients.js';
import { StepJournal } from '../actions/steps.js';
import { oauthApplication } from '../actions/token-actions.js';
import { resolveTarget } from '../actions/target.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { RunbookContext, RunbookLog } from '../solution/context.js';
import type { JobLogLine, JobRecord, Store } from '../storage/store.js';
import { BackoffSignal, FailSignal } from './signals.js';

export interface ContextDeps {
  solution: Solution;
  store: Store;
  secretStore: SecretStore;
  now: () => Date;
  connection?: XurrentConnection;
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
  const journal = new StepJournal(deps, job);
  const actions = { ...deps, journal, logger };

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
      const connection = requireConnection(deps.connection, 'ctx.xurrent()');
      const { customerAccountId, appReference } = resolveTarget(job, target, 'xurrent');
      const application = await oauthApplication(deps, job, 'client_credentials', { customerAccountId, appReference });
      return connection.customer(customerAccountId, appReference, application, { onRateLimited: backoffOnRateLimit, logger });
    },
    provider: () => providerClient(deps.connection, 'ctx.provider()', logger),
    step: (name, fn) => journal.step(name, fn),
    retrieveAppConfig: (options) => retrieveAppConfig(actions, job, options),
    updateAppConfig: (options) => updateAppConfig(actions, job, options),
    asyncUrls: (urls, options) => pollAsyncUrls(actions, job, urls, options),
  };
  return { ctx, logLines };
}
