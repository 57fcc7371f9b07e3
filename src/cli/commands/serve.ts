import type { Command } from 'commander';
import { loadSolution } from '../load-solution.js';
import { startFromEnv } from '../runtime-env.js';
import { closeOnSignal, parsePort } from '../shared.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('receive Xurrent webhooks and run the solution\'s runbooks (receiver and worker in one process)')
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .option('-p, --port <port>', 'TCP port to listen on (default XAC_PORT or 4780)', parsePort)
    .option('--no-worker', 'receive and store only; run jobs in separate `xac worker` processes')
    .action(async (file: string, options: { port?: number; worker: boolean }) => {
      const solution = await loadSolution(file);
      const { app } = await startFromEnv({ solution, receiver: true, worker: options.worker, port: options.port });
      closeOnSignal(() => app.close());
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
