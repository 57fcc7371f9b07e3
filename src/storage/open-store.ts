import { ConfigError } from '../errors.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  /** SQLite file, used when no PostgreSQL URL is given. */
  sqlitePath: string;
  /** `postgres://` or `postgresql://` URL of a PostgreSQL database. */
  postgresUrl?: string;
  postgresSchema?: string;
}

/** Opens and migrates the configured store: PostgreSQL when a URL is given, else the SQLite file. */
export async function openConfiguredStore(location: StoreLocation): Promise<Store> {
  let store: Store;
  if (location.postgresUrl) {
    if (!/^postgres(ql)?:\/\//.test(location.postgresUrl)) {
      throw new ConfigError('XAC_DATABASE_URL must start with postgres:// or postgresql://, e.g. postgres://xac@db.internal:5432/xac');
    }
    store = new PostgresStore({ connectionString: location.postgresUrl, schema: location.postgresSchema });
  } else {
    store = new SqliteStore({ filename: location.sqlitePath });
  }
  await store.migrate();
  return store;
}
