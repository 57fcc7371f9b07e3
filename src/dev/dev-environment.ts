import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type XacApp } from '../app.js';
import type { Logger } from '../log.js';
import type { MasterKeyRing } from '../secrets/master-keys.js';
import type { Solution } from '../solution/define.js';
import { startSimulator, type RunningSimulator as Simulator } from '../sim/index.js';

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

const INSTALLATION_EVENTS = ['app_instance.create', 'app_instance.update', 'app_instance.delete'] as const;

/**
 * Starts the simulator and the runtime on loopback and wires them as `xac provision` wires a
 * real provider account: a provider webhook policy, the secrets and installation webhooks, and
 * one app offering per app reference whose webhookUriTemplate points at the automation route.
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'xac-dev-'));
  const simulator = await startSimulator({ port: options.simulatorPort ?? 0, retrySpeedFactor: 0.05 });
  const accountUrlPattern = `${simulator.url}/accounts/{account}`;
  const policy = await simulator.control.createWebhookPolicy({ jwtAlg: 'es256' });

  const build = async (solution: Solution, port: number) => {
    const app = await createApp({
      solution,
      keyRing: options.keyRing,
      databasePath: join(dataDir, 'xac.sqlite'),
      logger: options.logger,
      settings: { accountUrlPattern },
      worker: { pollIntervalMs: 100 },
    });
    await app.runtime.store.setProviderPolicy({
      algorithm: policy.jwtAlg.toUpperCase(),
      publicKeyPem: policy.publicKeyPem,
      issuer: policy.issuer,
      audience: policy.jwtAudience,
      source: 'provisioned',
      updatedAt: new Date(),
    });
    const url = await app.listen({ host: '127.0.0.1', port });
    return { app, url };
  };

  let { app, url: runtimeUrl } = await build(options.solution, options.port ?? 0);
  const references = [...options.solution.appReferences];

  await simulator.control.createWebhook({
    event: 'app_instance.secrets-update',
    uri: `${runtimeUrl}/xurrent/secrets`,
    webhookPolicyId: policy.id,
    appOfferingReferences: references,
  });
  for (const event of INSTALLATION_EVENTS) {
    await simulator.control.createWebhook({
      event,
      uri: `${runtimeUrl}/xurrent/installations`,
      webhookPolicyId: policy.id,
      appOfferingReferences: references,
    });
  }
  for (const reference of references) {
    await simulator.control.createOffering({
      reference,
      name: reference,
      webhookUriTemplate: `${runtimeUrl}/xurrent/automation/${reference}?customer_account_id={account}`,
      policyJwtAlg: 'es256',
      scopes: [
        { grantType: 'client_credentials', actions: ['request:Read', 'request:Update'] },
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
  await waitForVerifiedWebhooks(simulator);

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

/** Xurrent keeps a new webhook inactive until its webhook.verify callback was called. */
async function waitForVerifiedWebhooks(simulator: Simulator, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const webhooks = await simulator.control.webhooks({});
    const pending = webhooks.filter((webhook) => !webhook.verified);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `webhooks ${pending.map((webhook) => `${webhook.event} (${webhook.lastError ?? 'no answer'})`).join(', ')} were not verified within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
