import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type XacApp, type XacAppOptions } from '../../src/app.js';
import type { Solution } from '../../src/solution/define.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { resolveConnectionSettings } from '../../src/xurrent/connection-settings.js';
import { newKeyRing } from './harness.js';

export interface SimRuntime {
  sim: RunningSimulator;
  app: XacApp;
  url: string;
  close(): Promise<void>;
}

const INSTALLATION_EVENTS = ['app_instance.create', 'app_instance.update', 'app_instance.delete'];

/**
 * Starts a simulator and a runtime wired to it over HTTP: provider policy and webhooks, one
 * offering per app reference of the solution, and a provider connection for ctx.xurrent().
 */
export async function startSimRuntime(solution: Solution, options: Partial<Omit<XacAppOptions, 'solution' | 'keyRing'>> = {}): Promise<SimRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'xac-sim-runtime-'));
  const sim = await startSimulator({ retrySpeedFactor: 0.001 });
  const policy = await sim.control.createWebhookPolicy({ jwtAlg: 'es256' });
  const connection = resolveConnectionSettings({
    XAC_PROVIDER_ACCOUNT: sim.providerAccountId,
    XAC_PROVIDER_CLIENT_ID: sim.providerApplication.clientId,
    XAC_PROVIDER_CLIENT_SECRET: sim.providerApplication.clientSecret,
    XAC_XURRENT_OAUTH_URL: `${sim.oauthUrl}/token`,
    XAC_XURRENT_GRAPHQL_URL: sim.graphqlUrl,
    XAC_XURRENT_ACCOUNT_URL_PATTERN: sim.accountUrlPattern,
  });
  const app = await createApp({
    databasePath: join(dir, 'xac.sqlite'),
    settings: { accountUrlPattern: sim.accountUrlPattern },
    connection,
    ...options,
    worker: { pollIntervalMs: 20, retryPolicy: { baseDelayMs: 100, maxDelayMs: 400 }, ...(typeof options.worker === 'object' ? options.worker : {}) },
    solution,
    keyRing: newKeyRing(),
  });
  await app.runtime.store.setProviderPolicy({
    algorithm: 'ES256',
    publicKeyPem: policy.publicKeyPem,
    issuer: policy.issuer,
    audience: policy.jwtAudience,
    source: 'provisioned',
    updatedAt: new Date(),
  });
  const url = await app.listen();

  await sim.control.createWebhook({ event: 'app_instance.secrets-update', uri: `${url}/xurrent/secrets`, webhookPolicyId: policy.id, verified: true });
  for (const event of INSTALLATION_EVENTS) {
    await sim.control.createWebhook({ event, uri: `${url}/xurrent/installations`, webhookPolicyId: policy.id, verified: true });
  }
  for (const reference of solution.appReferences) {
    await sim.control.createOffering({
      reference,
      webhookUriTemplate: `${url}/xurrent/automation/${reference}?customer_account_id={account}`,
      policyJwtAlg: 'es256',
      scopes: [{ grantType: 'client_credentials', actions: ['request:Read'] }],
      automationRules: [{ name: 'Dispatch note', expressions: [{ name: 'text', value: 'note.text' }] }],
    });
  }

  return {
    sim,
    app,
    url,
    async close() {
      await app.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
