import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { simulatorConnectionSettings } from '../../src/dev/simulator-connection.js';
import { provision, type ProvisionOptions, type ProvisionResult } from '../../src/provisioning/provision.js';
import { createMasterKeyRing, parseMasterKey } from '../../src/secrets/master-keys.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import type { Solution } from '../../src/solution/define.js';
import { ClientCredentialsTokenSource, XurrentGraphqlClient } from '../../src/xurrent/index.js';
import { startRuntime, type TestRuntime } from '../support/harness.js';
import solution, { APP } from './fixtures/solution.js';

export interface Setup {
  sim: RunningSimulator;
  runtime: TestRuntime;
  /** Base64 master key of the runtime, for child processes that share its database. */
  masterKey: string;
  /** nodeID of the fixture offering's draft. */
  offeringId: string;
  /** Provisions the simulator for the fixture solution, with the runtime's database and URL. */
  provision(options?: Partial<ProvisionOptions>): Promise<ProvisionResult>;
  close(): Promise<void>;
}

/** Starts a fresh simulator with the fixture's offering (no templates yet) and a receiver on a fresh database. */
export async function startSetup(options: { solution?: Solution } = {}): Promise<Setup> {
  const sim = await startSimulator({ retrySpeedFactor: 0.001 });
  const masterKey = randomBytes(32).toString('base64');
  const keyRing = createMasterKeyRing(parseMasterKey(masterKey, 'test key'));
  const runtime = await startRuntime(options.solution ?? solution, { keyRing, settings: { accountUrlPattern: sim.accountUrlPattern } });
  const offering = await sim.control.createOffering({ reference: APP, name: 'Note dispatcher', policyJwtAlg: 'es256' });

  return {
    sim,
    runtime,
    masterKey,
    offeringId: offering.nodeId,
    provision: (extra = {}) =>
      provision({
        solution: options.solution ?? solution,
        settings: simulatorConnectionSettings(sim, runtime.url),
        store: runtime.app.runtime.store,
        secretStore: runtime.app.runtime.secretStore,
        publicUrl: runtime.url,
        verifyTimeoutMs: 10_000,
        ...extra,
      }),
    async close() {
      await runtime.close();
      await sim.close();
    },
  };
}

/** Environment of a child `xac` process that shares the setup's database, key and simulator. */
export function childEnv(setup: Setup, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    XAC_DATABASE: setup.runtime.databasePath,
    XAC_MASTER_KEY: setup.masterKey,
    XAC_PREVIOUS_MASTER_KEYS: undefined,
    XAC_LOG_LEVEL: 'warn',
    XAC_PROVIDER_ACCOUNT: setup.sim.providerAccountId,
    XAC_PROVIDER_CLIENT_ID: setup.sim.providerApplication.clientId,
    XAC_PROVIDER_CLIENT_SECRET: setup.sim.providerApplication.clientSecret,
    XAC_XURRENT_OAUTH_URL: `${setup.sim.oauthUrl}/token`,
    XAC_XURRENT_GRAPHQL_URL: setup.sim.graphqlUrl,
    XAC_XURRENT_ACCOUNT_URL_PATTERN: setup.sim.accountUrlPattern,
    XAC_XURRENT_STAGE: undefined,
    XAC_XURRENT_REGION: undefined,
    XAC_PUBLIC_URL: setup.runtime.url,
    ...extra,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return env as Record<string, string>;
}

/** Returns a GraphQL client of the simulator's provider account, for changes made behind provisioning's back. */
export function providerClient(sim: RunningSimulator): XurrentGraphqlClient {
  return new XurrentGraphqlClient({
    graphqlUrl: sim.graphqlUrl,
    account: sim.providerAccountId,
    tokenSource: new ClientCredentialsTokenSource({
      tokenUrl: `${sim.oauthUrl}/token`,
      clientId: sim.providerApplication.clientId,
      clientSecret: sim.providerApplication.clientSecret,
    }),
  });
}

export interface OfferingTemplates {
  webhookUriTemplate: string | null;
  configurationUriTemplate: string | null;
}

export async function readDraftTemplates(sim: RunningSimulator, reference: string): Promise<OfferingTemplates | undefined> {
  const data = await providerClient(sim).query<{ appOfferings: { nodes: OfferingTemplates[] } }>(
    `query ($reference: String!) {
      appOfferings(first: 1, filter: { published: false, reference: { values: [$reference] } }) { nodes { webhookUriTemplate configurationUriTemplate } }
    }`,
    { reference },
  );
  return data.appOfferings.nodes[0];
}

export interface LogEntry {
  msg: string;
  [field: string]: unknown;
}

/** Returns a pino logger that keeps every line, for assertions on logged retries. */
export function capturingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        entries.push(JSON.parse(line) as LogEntry);
      },
    },
  );
  return { logger, entries };
}
