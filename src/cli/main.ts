import { Command, CommanderError } from 'commander';
import { XacError } from '../errors.js';
import { XurrentError } from '../xurrent/errors.js';
import { simCommand } from '../sim/cli.js';
import { registerDeliveries } from './commands/deliveries.js';
import { registerCheck } from './commands/check.js';
import { registerDev } from './commands/dev.js';
import { registerJobs } from './commands/jobs.js';
import { registerKeys } from './commands/keys.js';
import { registerPolicy } from './commands/policy.js';
import { registerProvision } from './commands/provision.js';
import { registerSecrets } from './commands/secrets.js';
import { registerServe } from './commands/serve.js';

export function buildProgram(): Command {
  const program = new Command('xac')
    .description('Xurrent App Connector: a self-hosted runtime for Xurrent Apps')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerDev(program);
  registerCheck(program);
  registerProvision(program);
  registerPolicy(program);
  registerSecrets(program);
  registerJobs(program);
  registerDeliveries(program);
  registerKeys(program);
  program.addCommand(simCommand());
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof XacError || error instanceof XurrentError || (error instanceof Error && error.name === 'VerificationError')) {
    console.error(`xac: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
}
