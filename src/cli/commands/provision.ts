import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { deprovision } from '../../provisioning/deprovision.js';
import { DEFAULT_VERIFY_TIMEOUT_MS, provision, type ProvisionResult } from '../../provisioning/provision.js';
import { describeChange, formatDeprovisionResult, formatProvisionResult, provisionSucceeded } from '../../provisioning/report.js';
import { masterKeyRingFromEnv } from '../../secrets/master-keys.js';
import { SecretStore } from '../../secrets/secret-store.js';
import type { Solution } from '../../solution/define.js';
import type { Store } from '../../storage/store.js';
import type { ConnectionSettings } from '../../xurrent/connection-settings.js';
import { XurrentGraphqlError } from '../../xurrent/errors.js';
import { loadSolution } from '../load-solution.js';
import { connectionSettingsFromEnv, openStore } from '../runtime-env.js';

interface ProvisionCommandOptions {
  dryRun?: boolean;
  verifyTimeout: number;
}

export const VERIFY_TIMEOUT_OPTION = {
  flags: '--verify-timeout <seconds>',
  description: 'maximum wait for the receiver to confirm Xurrent\'s webhook.verify, in seconds; 0 skips the wait',
  parse: parseSeconds,
  default: DEFAULT_VERIFY_TIMEOUT_MS / 1000,
} as const;

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description(
      'create or update what the solution needs in the provider account: the webhook policy (its key is stored in ' +
        'the database), the secrets and installation webhooks, and the offering templates; a second run changes nothing',
    )
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .option('--dry-run', 'print the differences between the provider account and the solution, and change nothing')
    .option(VERIFY_TIMEOUT_OPTION.flags, VERIFY_TIMEOUT_OPTION.description, VERIFY_TIMEOUT_OPTION.parse, VERIFY_TIMEOUT_OPTION.default)
    .action(async (file: string, options: ProvisionCommandOptions) => {
      const solution = await loadSolution(file);
      const settings = connectionSettingsFromEnv(process.env);
      const publicUrl = requirePublicUrl(settings);
      const logger = createLogger({ level: process.env.XAC_LOG_LEVEL ?? 'warn' });
      const { store, secretStore } = await openStores();
      try {
        const result = await withScopeHint(() =>
          provision({
            solution,
            settings,
            store,
            secretStore,
            publicUrl,
            dryRun: options.dryRun ?? false,
            logger,
            verifyTimeoutMs: options.verifyTimeout * 1000,
          }),
        );
        for (const line of formatProvisionResult(result)) console.log(line);
        process.exitCode = provisionSucceeded(result) ? 0 : 1;
      } finally {
        await store.close();
      }
    });

  program
    .command('deprovision')
    .description('delete the webhooks and the webhook policy that xac provision created in the provider account; offerings stay as they are')
    .argument('<solution>', 'file whose default export is defineSolution(...)')
    .option('--dry-run', 'print what would be deleted, and delete nothing')
    .action(async (file: string, options: { dryRun?: boolean }) => {
      await loadSolution(file);
      const settings = connectionSettingsFromEnv(process.env);
      const logger = createLogger({ level: process.env.XAC_LOG_LEVEL ?? 'warn' });
      const { store, secretStore } = await openStores();
      try {
        const result = await withScopeHint(() =>
          deprovision({ settings, store, secretStore, dryRun: options.dryRun ?? false, logger }),
        );
        for (const line of formatDeprovisionResult(result)) console.log(line);
      } finally {
        await store.close();
      }
    });
}

/**
 * Provisions for `xac serve --provision`, once the receiver listens, and logs the outcome.
 * Returns whether the account is left working.
 */
export async function provisionForServe(
  solution: Solution,
  runtime: { store: Store; secretStore: SecretStore; connection?: { settings: ConnectionSettings } | undefined },
  logger: Logger,
  verifyTimeoutSeconds: number,
): Promise<boolean> {
  const settings = runtime.connection?.settings ?? connectionSettingsFromEnv(process.env);
  const result = await withScopeHint(() =>
    provision({
      solution,
      settings,
      store: runtime.store,
      secretStore: runtime.secretStore,
      publicUrl: requirePublicUrl(settings),
      logger: logger.child({ component: 'provisioning' }),
      verifyTimeoutMs: verifyTimeoutSeconds * 1000,
    }),
  );
  logResult(result, logger);
  return provisionSucceeded(result);
}

function logResult(result: ProvisionResult, logger: Logger): void {
  const summary = {
    providerAccount: result.providerAccount,
    publicUrl: result.publicUrl,
    changes: result.changes.map(describeChange),
    verification: result.verification,
  };
  logger.info(summary, result.changes.length === 0 ? 'provisioning: no changes' : `provisioning: ${result.changes.length} changes made`);
  for (const problem of result.problems) logger.error({ providerAccount: result.providerAccount }, `provisioning: ${problem}`);
  for (const warning of result.warnings) logger.warn({ providerAccount: result.providerAccount }, `provisioning: ${warning}`);
  if (result.verification.status === 'awaited' && result.verification.pending.length > 0) {
    logger.error(
      { pending: result.verification.pending },
      `provisioning: webhooks not verified within ${result.verification.timeoutMs / 1000} s; check that Xurrent reaches ${result.publicUrl}`,
    );
  }
}

/**
 * Runs `fn`, and adds the next step to Xurrent's "Unauthorized" GraphQL error, which Xurrent
 * returns when the token lacks a scope.
 */
async function withScopeHint<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof XurrentGraphqlError && error.errors.some((entry) => entry.message === 'Unauthorized')) {
      throw new ConfigError(`${error.message}; the provider's OAuth application lacks a scope that this request needs, so run xac check to list the missing ones`);
    }
    throw error;
  }
}

function requirePublicUrl(settings: ConnectionSettings): string {
  if (settings.publicUrl === undefined) {
    throw new ConfigError(
      'XAC_PUBLIC_URL is missing; set it to the base URL at which Xurrent reaches xac serve, for example https://xac.example.com',
    );
  }
  return settings.publicUrl;
}

/** Opens the database that `xac serve` uses, creating it when absent, and the secret store that seals tokens and state. */
async function openStores(): Promise<{ store: Store; secretStore: SecretStore }> {
  const keyRing = masterKeyRingFromEnv(process.env);
  const store = await openStore(process.env);
  return { store, secretStore: new SecretStore(store, keyRing) };
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`${value} is not a number of seconds of 0 or more`);
  }
  return seconds;
}
