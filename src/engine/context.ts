import type { Logger } from '../log.js';
import { oauthApplication } from '../actions/token-actions.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { RunbookContext, RunbookLog } from '../solution/context.js';
import type { JobLogLine, JobRecord } from '../storage/store.js';
import { BackoffSignal, FailSignal } from './signals.js';

export interface ContextDeps {
  solution: Solution;
  secretStore: SecretStore;
  now: () => Date;
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
  };
  return { ctx, logLines };
}
