import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type XacApp } from '../app.js';
import type { Logger } from '../log.js';
import type { MasterKeyRing } from '../secrets/master-keys.js';
import { provision } from '../provisioning/provision.js';
import { describeChange } from '../provisioning/report.js';
import type { Solution } from '../solution/define.js';
import { startSimulator, type RunningSimulator as Simulator } from '../sim/index.js';
import { simulatorConnectionSettings } from './simulator-connection.js';

export interface DevEnvironmentOptions {
  solution: Solution;
  keyRing: MasterKeyRing;
  logger: Logger;
  /** Receiver port; 0 picks a free one. */
  port?: number;
  simulatorPort?: number;
  /** Folder of the SQLite file; a new temporary folder when absent. */
  dataDir?: string;
}

export interface DevEnvironment {
  simulator: Simulator;
  app: XacApp;
  runtimeUrl: string;
  dataDir: string;
  /** Replaces the solution: the receiver and worker restart on the same port and database. */
  reload(solution: Solution): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the simulator and the runtime on loopback and seeds one app offering per app
 * reference, as a provider creates them in Xurrent. Then it runs `xac provision` against the
 * simulator, which creates the provider webhook policy and webhooks and sets each offering's
 * webhookUriTemplate to the automation route.
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'xac-dev-'));
  // Async query results are ready after 300 ms, so a runbook that polls them finishes within its first backoff.
  const simulator = await startSimulator({ port: options.simulatorPort ?? 0, retrySpeedFactor: 0.05, asyncResultDelayMs: 300 });
  const accountUrlPattern = `${simulator.url}/accounts/{account}`;
  const seeded = new Set<string>();

  const build = async (solution: Solution, port: number) => {
    const app = await createApp({
      solution,
      keyRing: options.keyRing,
      databasePath: join(dataDir, 'xac.sqlite'),
      logger: options.logger,
      settings: { accountUrlPattern },
      connection: simulatorConnectionSettings(simulator),
      worker: { pollIntervalMs: 100 },
    });
    const url = await app.listen({ host: '127.0.0.1', port });
    await seedOfferings(simulator, solution, seeded);
    await provisionSimulator(simulator, app, solution, url, options.logger);
    return { app, url };
  };

  let { app, url: runtimeUrl } = await build(options.solution, options.port ?? 0);

  return {
    simulator,
    get app() {
      return app;
    },
    runtimeUrl,
    dataDir,
    async reload(solution) {
      const port = Number(new URL(runtimeUrl).port);
      await app.close();
      ({ app, url: runtimeUrl } = await build(solution, port));
    },
    async close() {
      await app.close();
      await simulator.close();
    },
  };
}

/** Creates the offerings that the solution names and `seeded` lacks, without the templates that provisioning sets. */
async function seedOfferings(simulator: Simulator, solution: Solution, seeded: Set<string>): Promise<void> {
  for (const reference of solution.appReferences) {
    if (seeded.has(reference)) continue;
    seeded.add(reference);
    await simulator.control.createOffering({
      reference,
      name: reference,
      policyJwtAlg: 'es256',
      scopes: [
        { grantType: 'client_credentials', actions: ['request:Read', 'request:Update', 'ci:Create'] },
        { grantType: 'authorization_code', actions: ['person:Read'] },
      ],
      automationRules: [
        {
          name: 'Dispatch note',
          trigger: 'on note added',
          expressions: [{ name: 'text', value: 'note.text' }],
          actions: [{ name: 'webhook', value: "call webhook '{app_offering_webhook}' with payload 'text'" }],
        },
      ],
    });
  }
}

/** Provisions the simulator's provider account for the solution and waits until its webhooks are verified. */
async function provisionSimulator(simulator: Simulator, app: XacApp, solution: Solution, runtimeUrl: string, logger: Logger): Promise<void> {
  const result = await provision({
    solution,
    settings: simulatorConnectionSettings(simulator, runtimeUrl),
    store: app.runtime.store,
    secretStore: app.runtime.secretStore,
    publicUrl: runtimeUrl,
    logger: logger.child({ component: 'provisioning' }),
    verifyTimeoutMs: 10_000,
  });
  const failures = [...result.problems];
  if (result.verification.status === 'awaited') {
    failures.push(...result.verification.pending.map((webhook) => `webhook ${webhook.event} was not verified within 10 s`));
  } else if (result.verification.status === 'unreachable') {
    failures.push(`the runtime is not reachable: ${result.verification.reason}`);
  }
  if (failures.length > 0) {
    throw new Error(`provisioning the simulator failed: ${failures.join('; ')}`);
  }
  logger.debug({ changes: result.changes.map(describeChange) }, 'provisioned the simulator');
}
