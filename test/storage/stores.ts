import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/storage/postgres-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';

/** The PostgreSQL server on this machine; XAC_TEST_POSTGRES_URL points elsewhere. */
export const POSTGRES_URL = process.env.XAC_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  /** Opens a store on a fresh database; `open()` again opens another connection to the same one. */
  create(): Promise<{ store: Store; open(): Promise<Store>; dispose(): Promise<void> }>;
}

export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'xac-store-'));
    const filename = join(dir, 'xac.sqlite');
    const opened: Store[] = [];
    const open = async () => {
      const store = new SqliteStore({ filename });
      await store.migrate();
      opened.push(store);
      return store;
    };
    const store = await open();
    return {
      store,
      open,
      async dispose() {
        for (const each of opened) await each.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const schema = `xac_test_${randomBytes(6).toString('hex')}`;
    const opened: Store[] = [];
    const open = async () => {
      const store = new PostgresStore({ connectionString: POSTGRES_URL, schema, maxConnections: 4 });
      await store.migrate();
      opened.push(store);
      return store;
    };
    const store = await open();
    return {
      store,
      open,
      async dispose() {
        for (const each of opened) await each.close();
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  },
};

export const STORE_FACTORIES: StoreFactory[] = [sqliteFactory, postgresFactory];
