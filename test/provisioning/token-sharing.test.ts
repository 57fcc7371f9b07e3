import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XurrentConnection } from '../../src/connection/xurrent-connection.js';
import { simulatorConnectionSettings } from '../../src/dev/simulator-connection.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { newKeyRing } from '../support/harness.js';

describe('provider token in a shared database', () => {
  let sim: RunningSimulator;
  let dir: string;
  const stores: SqliteStore[] = [];

  beforeEach(async () => {
    sim = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), 'xac-token-'));
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is requested once by two processes', async () => {
    const keyRing = newKeyRing();
    const settings = simulatorConnectionSettings(sim);
    // Two stores on one file stand for two processes: they share only the database.
    const connections = [];
    for (let index = 0; index < 2; index++) {
      const store = new SqliteStore({ filename: join(dir, 'xac.sqlite') });
      await store.migrate();
      stores.push(store);
      connections.push(new XurrentConnection(settings, store, new SecretStore(store, keyRing)));
    }

    const accounts = await Promise.all(
      connections.map((connection) => connection.provider().query<{ account: { id: string } }>('query { account { id } }')),
    );

    expect(accounts).toEqual([{ account: { id: 'provider' } }, { account: { id: 'provider' } }]);
    expect(await sim.control.tokenRequestCount({ clientId: sim.providerApplication.clientId })).toBe(1);
  });
});
