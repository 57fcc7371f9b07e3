import { watch } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { devMasterKeyRing } from '../../dev/master-key-file.js';
import { runDemo } from '../../dev/demo.js';
import { startDevEnvironment } from '../../dev/dev-environment.js';
import { createLogger } from '../../log.js';
import { masterKeyRingFromEnv } from '../../secrets/master-keys.js';
import { loadSolution } from '../load-solution.js';
import { closeOnSignal, parsePort } from '../shared.js';

interface DevOptions {
  port?: number;
  simPort?: number;
  demo?: boolean;
  keyFile: string;
  data?: string;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run the solution against a local Xurrent simulator, wired and ready, and reload it when the file changes')
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .option('-p, --port <port>', 'receiver port (default: a free port)', parsePort)
    .option('--sim-port <port>', 'simulator port (default: a free port)', parsePort)
    .option('--demo', 'run one customer through install, automation rule, suspension and removal, print what ran, and exit')
    .option('--key-file <file>', 'master key file, created with mode 0600 when absent (XAC_MASTER_KEY wins when set)', '.xac/dev-master-key')
    .option('--data <dir>', 'folder for the SQLite file (default: a new temporary folder)')
    .action(async (file: string, options: DevOptions) => {
      const logger = createLogger({ level: process.env.XAC_LOG_LEVEL ?? (options.demo ? 'warn' : 'info') });
      const keyRing = process.env.XAC_MASTER_KEY ? masterKeyRingFromEnv(process.env) : devMasterKeyRing(options.keyFile).keyRing;
      const solution = await loadSolution(file);
      const started = Date.now();
      const env = await startDevEnvironment({ solution, keyRing, logger, port: options.port, simulatorPort: options.simPort, dataDir: options.data });

      console.log(`Simulator: ${env.simulator.url}  (control API: ${env.simulator.url}/_sim/<method>)`);
      const databasePath = join(env.dataDir, 'xac.sqlite');
      console.log(`Runtime:   ${env.runtimeUrl}`);
      console.log(`Database:  ${databasePath}  (inspect with XAC_DATABASE=${databasePath} ${cliName()} jobs list)`);
      console.log(`Offerings: ${solution.appReferences.join(', ') || '(none)'}; provider webhooks verified.`);

      if (options.demo) {
        try {
          const { failedJobs } = await runDemo(env, (line) => console.log(line));
          console.log(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
          process.exitCode = failedJobs > 0 ? 1 : 0;
        } finally {
          await env.close();
        }
        return;
      }

      console.log(`Try: ${cliName()} sim install --url ${env.simulator.url} --customer wdc --offering ${solution.appReferences[0] ?? '<reference>'}`);
      let reloading = Promise.resolve();
      let debounce: NodeJS.Timeout | undefined;
      // The folder is watched, not the file: editors that save by replacing the file end a file watch.
      const path = resolve(file);
      const watcher = watch(dirname(path), (_event, changed) => {
        if (changed !== basename(path)) return;
        clearTimeout(debounce);
        debounce = setTimeout(reload, 100);
      });
      const reload = () => {
        reloading = reloading.then(async () => {
          try {
            await env.reload(await loadSolution(file, { fresh: true }));
            console.log(`Reloaded ${file}.`);
          } catch (error) {
            console.error(`Reload of ${file} failed; the previous solution keeps running: ${(error as Error).message}`);
          }
        });
      };
      closeOnSignal(async () => {
        watcher.close();
        await env.close();
      });
    });
}

/** Returns the command that started this CLI, so that printed hints can be pasted as they are. */
function cliName(): string {
  const script = process.argv[1] ?? '';
  if (script.includes(`${join('node_modules', '.bin')}`) || basename(script) === 'xac') return 'npx xac';
  return `node ${relative(process.cwd(), script) || script}`;
}
