import type { FastifyInstance } from 'fastify';
import { XurrentConnection } from './connection/xurrent-connection.js';
import type { ConnectionSettings } from './xurrent/connection-settings.js';
import { Worker, type WorkerOptions } from './engine/worker.js';
import { silentLogger, type Logger } from './log.js';
import { buildReceiver } from './receiver/server.js';
import { DEFAULT_RECEIVER_SETTINGS, type ReceiverSettings, type Runtime } from './runtime.js';
import type { MasterKeyRing } from './secrets/master-keys.js';
import { SecretStore } from './secrets/secret-store.js';
import type { Solution } from './solution/define.js';
import { SqliteStore } from './storage/sqlite-store.js';
import type { Store } from './storage/store.js';

export interface XacAppOptions {
  solution: Solution;
  keyRing: MasterKeyRing;
  /** A store to use; otherwise a SQLite store at databasePath. */
  store?: Store;
  /** SQLite file; default `.xac/xac.sqlite` in the working directory. */
  databasePath?: string;
  logger?: Logger;
  now?: () => Date;
  settings?: Partial<ReceiverSettings>;
  /** Connection settings of the provider's Xurrent account; runbooks cannot call Xurrent without them. */
  connection?: ConnectionSettings;
  /** HTTP client for webhook.verify callbacks; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
  /** Run a worker in this process (default), or false for a receiver alone. */
  worker?: boolean | Omit<Partial<WorkerOptions>, 'store' | 'secretStore' | 'solution' | 'logger'>;
}

export interface XacApp {
  runtime: Runtime;
  receiver: FastifyInstance;
  worker?: Worker;
  /** Starts the receiver (and worker) and resolves to the receiver's base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Wires store, secret store, receiver and worker for one process. */
export async function createApp(options: XacAppOptions): Promise<XacApp> {
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? (() => new Date());
  const store = options.store ?? new SqliteStore({ filename: options.databasePath ?? '.xac/xac.sqlite' });
  await store.migrate();
  const secretStore = new SecretStore(store, options.keyRing, now);

  const runtime: Runtime = {
    solution: options.solution,
    store,
    secretStore,
    logger,
    now,
    settings: { ...DEFAULT_RECEIVER_SETTINGS, ...options.settings },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.connection ? { connection: new XurrentConnection(options.connection, store, secretStore) } : {}),
  };

  let worker: Worker | undefined;
  if (options.worker !== false) {
    const workerOptions = typeof options.worker === 'object' ? options.worker : {};
    worker = new Worker({ ...workerOptions, store, secretStore, solution: options.solution, logger, now, connection: runtime.connection });
    runtime.onJobsRecorded = () => worker?.notify();
  }
  const receiver = buildReceiver(runtime);

  return {
    runtime,
    receiver,
    worker,
    async listen(listenOptions = {}) {
      const address = await receiver.listen({ host: listenOptions.host ?? '127.0.0.1', port: listenOptions.port ?? 0 });
      worker?.start();
      return address;
    },
    async close() {
      await receiver.close();
      await worker?.stop();
      await store.close();
    },
  };
}
