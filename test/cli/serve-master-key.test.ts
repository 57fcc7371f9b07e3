import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runXac, type CliResult } from '../support/cli.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { createMasterKeyRing, parseMasterKey } from '../../src/secrets/master-keys.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runXac(args, { ...process.env, ...env });
}

describe('xac serve start-up', () => {
  let dir: string;

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops when the master key does not match the store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-key-check-'));
    const database = join(dir, 'xac.sqlite');
    const writer = parseMasterKey(randomBytes(32).toString('base64'), 'writer');
    const store = new SqliteStore({ filename: database });
    await store.migrate();
    await new SecretStore(store, createMasterKeyRing(writer)).encryptBlocks('wdc', 'app', { secrets: { api_key: 'k' } });
    await store.close();

    const other = randomBytes(32).toString('base64');
    const result = await run(['serve', join(root, 'examples/note-dispatcher/solution.ts'), '--port', '0'], {
      XAC_DATABASE: database,
      XAC_MASTER_KEY: other,
      XAC_LOG_LEVEL: 'silent',
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`xac: the database holds data keys wrapped by master key ${writer.id}, but XAC_MASTER_KEY is`);
    expect(result.stderr).toContain('add it to XAC_PREVIOUS_MASTER_KEYS');
  });
});
