import { createApp, type XacApp } from '../app.js';
import { processConfigFromEnv } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { masterKeyRingFromEnv } from '../secrets/master-keys.js';
import { SecretStore } from '../secrets/secret-store.js';
import { defineSolution, type Solution } from '../solution/define.js';
import { SqliteStore } from '../storage/sqlite-store.js';
import type { Store } from '../storage/store.js';
import { resolveConnectionSettings, type ConnectionSettings } from '../xurrent/connection-settings.js';

/** Opens the configured store for commands that need no solution, such as `xac jobs list`. */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const config = processConfigFromEnv(env);
  const store = new SqliteStore({ filename: config.databasePath });
  await store.migrate();
  return store;
}

export async function openSecretStore(env: NodeJS.ProcessEnv = process.env): Promise<{ store: Store; secretStore: SecretStore }> {
  const keyRing = masterKeyRingFromEnv(env);
  const store = await openStore(env);
  return { store, secretStore: new SecretStore(store, keyRing) };
}

export interface StartOptions {
  solution?: Solution;
  worker: boolean;
  receiver: boolean;
  logger?: Logger;
  port?: number;
}

/** Starts receiver and worker from the environment, as `xac serve` and `xac worker` do. */
/** The provider connection when XAC_PROVIDER_ACCOUNT is set; runbooks then may call Xurrent. */
export function connectionFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): ConnectionSettings | undefined {
  if (!env.XAC_PROVIDER_ACCOUNT) return undefined;
  const settings = resolveConnectionSettings(env);
  for (const warning of settings.warnings) logger?.warn(warning);
  return settings;
}

export async function startFromEnv(options: StartOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ app: XacApp; url?: string }> {
  const config = processConfigFromEnv(env);
  const logger = options.logger ?? createLogger();
  const connection = connectionFromEnv(env, logger);
  const app = await createApp({
    solution: options.solution ?? defineSolution({ runbooks: {} }),
    keyRing: masterKeyRingFromEnv(env),
    databasePath: config.databasePath,
    logger,
    settings: {
      ...config.settings,
      accountUrlPattern: config.settings.accountUrlPattern ?? connection?.endpoints.accountUrlPattern,
    },
    ...(connection ? { connection } : {}),
    worker: options.worker ? config.worker : false,
  });
  if (!options.receiver) {
    app.worker?.start();
    return { app };
  }
  const url = await app.listen({ host: config.host, port: options.port ?? config.port });
  logger.info({ url, database: config.databasePath, worker: options.worker }, 'xac serve listening');
  return { app, url };
}
