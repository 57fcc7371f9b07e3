import type { Command } from 'commander';
import { loadSolution } from '../load-solution.js';
import { startFromEnv } from '../runtime-env.js';
import { closeOnSignal, parsePort } from '../shared.js';
import { VERIFY_TIMEOUT_OPTION, provisionForServe } from './provision.js';

interface ServeOptions {
  port?: number;
  worker: boolean;
  provision?: boolean;
  verifyTimeout: number;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('receive Xurrent webhooks and run the solution\'s runbooks (receiver and worker in one process)')
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .option('-p, --port <port>', 'TCP port to listen on (default XAC_PORT or 4780)', parsePort)
    .option('--no-worker', 'receive and store only; run jobs in separate `xac worker` processes')
    .option(
      '--provision',
      'once listening, run `xac provision` for the solution (XAC_PROVIDER_*, XAC_PUBLIC_URL) and wait for webhook verification; ' +
        'exits when Xurrent rejects a request, and logs an error but keeps serving when an offering is missing or a webhook stays unverified',
    )
    .option(VERIFY_TIMEOUT_OPTION.flags, VERIFY_TIMEOUT_OPTION.description, VERIFY_TIMEOUT_OPTION.parse, VERIFY_TIMEOUT_OPTION.default)
    .action(async (file: string, options: ServeOptions) => {
      const solution = await loadSolution(file);
      const { app } = await startFromEnv({ solution, receiver: true, worker: options.worker, port: options.port });
      closeOnSignal(() => app.close());
      if (options.provision) {
        try {
          // The receiver listens first, because Xurrent sends webhook.verify as soon as a webhook is created.
          await provisionForServe(solution, app.runtime, app.runtime.logger, options.verifyTimeout);
        } catch (error) {
          await app.close();
          throw error;
        }
      }
    });

  program
    .command('worker')
    .description('run queued jobs of the solution without receiving webhooks')
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .action(async (file: string) => {
      const solution = await loadSolution(file);
      const { app } = await startFromEnv({ solution, receiver: false, worker: true });
      closeOnSignal(() => app.close());
    });
}
