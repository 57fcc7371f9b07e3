import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp, type XacApp } from '../app.js';
import { processConfigFromEnv } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { masterKeyRingFromEnv } from '../secrets/master-keys.js';
import { SecretStore } from '../secrets/secret-store.js';
import { defineSolution, type Solution } from '../solution/define.js';
import { openConfiguredStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { resolveConnectionSettings, type ConnectionSettings, type XurrentFileConfig } from '../xurrent/connection-settings.js';

/**
 * Opens the configured store for commands that need no solution, such as `xac jobs list`.
 * With mustExist, a missing file is an error, so that a wrong XAC_DATABASE does not read as an empty store.
 */
export async function openStore(env: NodeJS.ProcessEnv = process.env, options: { mustExist?: boolean } = {}): Promise<Store> {
  const config = processConfigFromEnv(env);
  if (options.mustExist && !config.databaseUrl && !existsSync(config.databasePath)) {
    throw new ConfigError(
      `database ${resolve(config.databasePath)} does not exist; set XAC_DATABASE to the file that \`xac serve\` uses, or run the command in its working directory`,
    );
  }
  return openConfiguredStore({ sqlitePath: config.databasePath, postgresUrl: config.databaseUrl, postgresSchema: config.databaseSchema });
}

/** Opens the store as `openStore` does, runs fn with it and closes it, also when fn throws. */
export async function withStore<T>(
  fn: (store: Store) => Promise<T>,
  options: { mustExist?: boolean } = { mustExist: true },
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const store = await openStore(env, options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function openSecretStore(env: NodeJS.ProcessEnv = process.env): Promise<{ store: Store; secretStore: SecretStore }> {
  const keyRing = masterKeyRingFromEnv(env);
  const store = await openStore(env, { mustExist: true });
  return { store, secretStore: new SecretStore(store, keyRing) };
}

export interface StartOptions {
  solution?: Solution;
  worker: boolean;
  receiver: boolean;
  logger?: Logger;
  port?: number;
}

/**
 * Reads the JSON file that XAC_CONFIG names: connection settings such as
 * `{ "providerAccount": "acme", "stage": "qa", "region": "uk" }`. Environment variables win.
 */
export function configFileFromEnv(env: NodeJS.ProcessEnv): XurrentFileConfig {
  const file = env.XAC_CONFIG;
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`XAC_CONFIG=${file} cannot be read as JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`XAC_CONFIG=${file} must hold a JSON object such as { "providerAccount": "acme", "stage": "production" }`);
  }
  return parsed as XurrentFileConfig;
}

/** Resolves the provider connection from XAC_* variables and the XAC_CONFIG file. */
export function connectionSettingsFromEnv(env: NodeJS.ProcessEnv): ConnectionSettings {
  return resolveConnectionSettings(env, configFileFromEnv(env));
}

/** Reads the provider connection when a provider account is configured, so that runbooks may call Xurrent. */
export function connectionFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): ConnectionSettings | undefined {
  if (!env.XAC_PROVIDER_ACCOUNT && !configFileFromEnv(env).providerAccount) return undefined;
  const settings = connectionSettingsFromEnv(env);
  for (const warning of settings.warnings) logger?.warn(warning);
  return settings;
}

/** Starts receiver and worker from the environment, as `xac serve` and `xac worker` do. */
export async function startFromEnv(options: StartOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ app: XacApp; url?: string }> {
  const config = processConfigFromEnv(env);
  const logger = options.logger ?? createLogger();
  const connection = connectionFromEnv(env, logger);
  const app = await createApp({
    solution: options.solution ?? defineSolution({ runbooks: {} }),
    keyRing: masterKeyRingFromEnv(env),
    store: await openStore(env),
    logger,
    settings: {
      ...config.settings,
      // Both copies come from XAC_XURRENT_ACCOUNT_URL_PATTERN. The connection's copy is validated
      // and has no trailing slash, so it wins.
      accountUrlPattern: connection?.endpoints.accountUrlPattern ?? config.settings.accountUrlPattern,
    },
    ...(connection ? { connection } : {}),
    worker: options.worker ? config.worker : false,
  });

  try {
    await app.runtime.secretStore.assertKeyRingCoversStore();
  } catch (error) {
    await app.close();
    throw error;
  }

  if (!options.receiver) {
    app.worker?.start();
    return { app };
  }

  const port = options.port ?? config.port;
  let url: string;
  try {
    url = await app.listen({ host: config.host, port });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`port ${port} on ${config.host} is already in use; pick a free one with --port or XAC_PORT`);
    }
    throw error;
  }

  logger.info({ url, store: app.runtime.store.kind, worker: options.worker }, 'xac serve listening');
  if (!(await app.runtime.store.getProviderPolicy())) {
    logger.warn(
      'no provider webhook policy is stored, so deliveries to /xurrent/secrets and /xurrent/installations are rejected; ' +
        'run `xac provision` or `xac policy set`',
    );
  }
  return { app, url };
}
