import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { installPart } from './control-schemas.js';
import type { ControlMethod } from './control.js';
import type { DeliveryAttempt } from './deliveries.js';
import { connectSimulator } from './http-control-client.js';
import { startSimulator } from './server.js';

export const DEFAULT_SIM_PORT = 4790;
const DEFAULT_CONTROL_URL = `http://127.0.0.1:${DEFAULT_SIM_PORT}`;

export interface SimCommandOptions {
  /** Writer of the command output; standard output by default. */
  write?: (text: string) => void;
  /** Called with 1 when a delivery was not accepted; sets process.exitCode by default. */
  setExitCode?: (code: number) => void;
}

/**
 * Builds the `sim` command. `start` runs a simulator in this process, and the other
 * subcommands drive a running simulator through its HTTP control API.
 */
export function simCommand(options: SimCommandOptions = {}): Command {
  const write = options.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const report: Reporter = {
    write,
    setExitCode:
      options.setExitCode ??
      ((code: number) => {
        process.exitCode = code;
      }),
  };
  const sim = new Command('sim').description('Run a local Xurrent simulator, or drive a running one');

  sim
    .command('start', { isDefault: true })
    .description('Start the simulator on 127.0.0.1 and wait until interrupted')
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 picks a free one)', parseInteger, DEFAULT_SIM_PORT)
    .option('--provider-account <id>', 'account id of the provider account', 'provider')
    .option('--customer <id...>', 'customer accounts to create at start')
    .option('--token-lifetime <seconds>', 'lifetime of access tokens in seconds', parseInteger, 3600)
    .option('--retry-speed <factor>', 'multiplier of the delay between delivery retries (0.01 = 100 times faster)', parseNumber, 1)
    .option('--async-delay <ms>', 'delay in milliseconds before async query results are ready', parseInteger, 1000)
    .option('--log-level <level>', 'pino log level on standard error (silent, info, debug)', 'info')
    .action(async (flags: StartFlags) => {
      const logger = pino({ level: flags.logLevel }, pino.destination(2));
      const running = await startSimulator({
        port: flags.port,
        providerAccountId: flags.providerAccount,
        tokenLifetimeSeconds: flags.tokenLifetime,
        retrySpeedFactor: flags.retrySpeed,
        asyncResultDelayMs: flags.asyncDelay,
        logger,
      });
      for (const customer of flags.customer ?? []) await running.control.createCustomerAccount({ id: customer });
      write(
        [
          `Xurrent simulator listening on ${running.url}`,
          `  OAuth URL:           ${running.oauthUrl}  (token, authorize, introspect)`,
          `  GraphQL URL:         ${running.graphqlUrl}`,
          `  Account URL pattern: ${running.accountUrlPattern}`,
          `  Control API:         ${running.url}/_sim/<method>`,
          `  Provider account:    ${running.providerAccountId}`,
          `  Provider client id:     ${running.providerApplication.clientId}`,
          `  Provider client secret: ${running.providerApplication.clientSecret}`,
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
      await waitForSignal();
      await running.close();
    });

  addControlCommand(sim, 'install', 'Install an app offering for a customer')
    .requiredOption('--customer <id>', 'customer account id (created when missing)')
    .requiredOption('--offering <reference>', 'app offering reference')
    .option('--field <id=value>', 'custom field value, JSON or text (repeatable)', collectPairs, {})
    .option('--secret <id=value>', 'secret field value (repeatable)', collectPairs, {})
    .option('--order <parts>', `order of the install deliveries, comma-separated from: ${installPart.options.join(', ')}`, parseOrder)
    .action(async (flags: InstallFlags, command: Command) => {
      await runControl(command, 'install', report, {
        customer: flags.customer,
        offeringReference: flags.offering,
        customFields: flags.field,
        secrets: stringValues(flags.secret),
        order: flags.order,
      });
    });

  addControlCommand(sim, 'update', 'Change an app instance and send app_instance.update')
    .requiredOption('--customer <id>', 'customer account id')
    .requiredOption('--offering <reference>', 'app offering reference')
    .option('--field <id=value>', 'custom field value, JSON or text (repeatable)', collectPairs)
    .option('--secret <id=value>', 'secret field value; only changed values are sent (repeatable)', collectPairs)
    .addOption(new Option('--disabled <boolean>', 'provider-side switch').argParser(parseBoolean))
    .addOption(new Option('--suspended <boolean>', 'suspension switch').argParser(parseBoolean))
    .option('--suspension-comment <text>', 'reason shown with a suspension')
    .addOption(new Option('--enabled-by-customer <boolean>', 'customer-side switch').argParser(parseBoolean))
    .option('--upgrade', 'move the instance to the latest published version')
    .action(async (flags: UpdateFlags, command: Command) => {
      await runControl(command, 'update', report, {
        customer: flags.customer,
        offeringReference: flags.offering,
        customFields: flags.field,
        secrets: flags.secret && stringValues(flags.secret),
        disabled: flags.disabled,
        suspended: flags.suspended,
        suspensionComment: flags.suspensionComment,
        enabledByCustomer: flags.enabledByCustomer,
        upgrade: flags.upgrade,
      });
    });

  addControlCommand(sim, 'suspend', 'Suspend an app instance')
    .requiredOption('--customer <id>', 'customer account id')
    .requiredOption('--offering <reference>', 'app offering reference')
    .option('--comment <text>', 'suspension comment')
    .action(async (flags: InstanceFlags & { comment?: string }, command: Command) => {
      await runControl(command, 'suspend', report, { customer: flags.customer, offeringReference: flags.offering, comment: flags.comment });
    });

  for (const [name, description] of [
    ['disable', 'Disable an app instance (provider-side switch)'],
    ['uninstall', 'Uninstall an app offering and send app_instance.delete'],
  ] as const) {
    addControlCommand(sim, name, description)
      .requiredOption('--customer <id>', 'customer account id')
      .requiredOption('--offering <reference>', 'app offering reference')
      .action(async (flags: InstanceFlags, command: Command) => {
        await runControl(command, name, report, { customer: flags.customer, offeringReference: flags.offering });
      });
  }

  addControlCommand(sim, 'fire', 'Run an automation rule of an installed offering')
    .requiredOption('--customer <id>', 'customer account id')
    .requiredOption('--offering <reference>', 'app offering reference')
    .option('--rule <name>', 'automation rule name (default: the first rule)')
    .option('--payload <json>', 'values of the rule expressions as a JSON object', parseJsonObject)
    .action(async (flags: InstanceFlags & { rule?: string; payload?: Record<string, unknown> }, command: Command) => {
      await runControl(command, 'fire', report, {
        customer: flags.customer,
        offeringReference: flags.offering,
        rule: flags.rule,
        payload: flags.payload,
      });
    });

  addControlCommand(sim, 'deliveries', 'List recorded delivery attempts')
    .option('--event <event>', 'only this event')
    .option('--webhook <id>', 'only this webhook (numeric id)', parseInteger)
    .action(async (flags: { event?: string; webhook?: number }, command: Command) => {
      await runControl(command, 'deliveries', report, { event: flags.event, webhookId: flags.webhook });
    });

  return sim;
}

interface StartFlags {
  port: number;
  providerAccount: string;
  customer?: string[];
  tokenLifetime: number;
  retrySpeed: number;
  asyncDelay: number;
  logLevel: string;
}

interface InstanceFlags {
  customer: string;
  offering: string;
}

interface InstallFlags extends InstanceFlags {
  field: Record<string, unknown>;
  secret: Record<string, unknown>;
  order?: string[];
}

interface UpdateFlags extends InstanceFlags {
  field?: Record<string, unknown>;
  secret?: Record<string, unknown>;
  disabled?: boolean;
  suspended?: boolean;
  suspensionComment?: string;
  enabledByCustomer?: boolean;
  upgrade?: boolean;
}

function addControlCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--url <url>', 'URL of the running simulator', DEFAULT_CONTROL_URL);
}

const DELIVERY_WAIT_MS = 15_000;

interface Reporter {
  write: (text: string) => void;
  setExitCode: (code: number) => void;
}

async function runControl(command: Command, method: ControlMethod, { write, setExitCode }: Reporter, input: object): Promise<void> {
  const { url } = command.opts<{ url: string }>();
  const control = connectSimulator(url);
  const result = await control.call(method, dropUndefined(input));
  write(JSON.stringify(result, null, 2));

  const callIds = (result as { callIds?: unknown } | null)?.callIds;
  if (!Array.isArray(callIds)) return;
  if (callIds.length === 0) {
    write('No delivery was sent: no webhook of the account listens to this event for this offering.');
    return;
  }
  // Lifecycle operations queue deliveries, so report the response to the first attempt of each.
  for (const callId of callIds as number[]) {
    const attempt = await firstAttempt(control, callId);
    if (!attempt) {
      write(`delivery ${callId}: no answer within ${DELIVERY_WAIT_MS / 1000} s; see \`xac sim deliveries --url ${url}\``);
      setExitCode(1);
      continue;
    }
    const answer = attempt.responseStatus === null ? `failed: ${attempt.error ?? 'no response'}` : `answered ${attempt.responseStatus}`;
    const body = attempt.ok ? '' : ` ${(attempt.responseBody ?? '').slice(0, 300)}`;
    write(`${attempt.event} to ${attempt.uri.split('?')[0]} ${answer}${body}`);
    if (!attempt.ok) setExitCode(1);
  }
}

async function firstAttempt(control: ReturnType<typeof connectSimulator>, callId: number): Promise<DeliveryAttempt | undefined> {
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  while (Date.now() < deadline) {
    const attempts = await control.deliveries({ callId, attempt: 1 });
    const done = attempts.find((attempt) => attempt.responseStatus !== null || attempt.error !== null);
    if (done) return done;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

function dropUndefined(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function parseInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`'${value}' is not a whole number.`);
  return parsed;
}

function parseNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`'${value}' is not a positive number.`);
  return parsed;
}

function parseBoolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`'${value}' is not a boolean; use true or false.`);
}

function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`'${value}' is not a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

function parseOrder(value: string): string[] {
  const parts = value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  for (const part of parts) {
    if (!installPart.safeParse(part).success) {
      throw new InvalidArgumentError(`'${part}' is not an install part; use ${installPart.options.join(', ')}.`);
    }
  }
  return parts;
}

/** Collects repeated `id=value` options; a value that parses as JSON is stored parsed, so `--field count=3` is a number. */
function collectPairs(pair: string, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`'${pair}' is not of the form id=value.`);
  const id = pair.slice(0, separator);
  const raw = pair.slice(separator + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { ...(previous ?? {}), [id]: value };
}

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}
