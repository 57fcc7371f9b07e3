import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../storage/stores.js';
import { postJson, waitFor } from '../support/harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const STORES = [
  { name: 'sqlite', env: (dir: string) => ({ XAC_DATABASE: join(dir, 'xac.sqlite') }) },
  {
    name: 'postgres',
    env: (dir: string) => ({ XAC_DATABASE_URL: POSTGRES_URL, XAC_DATABASE_SCHEMA: `xac_restart_${dir.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '_')}` }),
  },
];

describe.each(STORES)('restart with a job in flight on $name', (storeKind) => {
  const children: ChildProcess[] = [];
  let dir: string;

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    const schema = (storeKind.env(dir) as { XAC_DATABASE_SCHEMA?: string }).XAC_DATABASE_SCHEMA;
    if (schema) {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes the job once after the process is killed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-restart-'));
    const journal = join(dir, 'journal.txt');
    const hangFlag = join(dir, 'hang');
    writeFileSync(journal, '');
    writeFileSync(hangFlag, '');
    const env = {
      ...process.env,
      ...storeKind.env(dir),
      XAC_MASTER_KEY: randomBytes(32).toString('base64'),
      XAC_JOB_LEASE_MS: '1500',
      XAC_POLL_INTERVAL_MS: '100',
      XAC_LOG_LEVEL: 'warn',
      CRASH_JOURNAL: journal,
      CRASH_HANG_FLAG: hangFlag,
    };
    const start = async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [join(root, 'bin/xac.js'), 'serve', join(root, 'test/engine/fixtures/crash-solution.ts'), '--port', String(port)], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => {
        try {
          return (await fetch(`${url}/healthz`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      }, 20_000, 'xac serve to listen');
      return { child, url };
    };

    const first = await start();
    const accepted = await postJson(`${first.url}/hooks/slow`, { customer_account_id: 'wdc', app_reference: 'app' }, { 'x-api-key': 'test-key' });
    expect(accepted.status).toBe(202);
    await waitFor(() => (readFileSync(journal, 'utf8').includes('start') ? true : undefined), 10_000, 'the job to start');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(existsSync(hangFlag)).toBe(false);

    const second = await start();
    const lines = await waitFor(() => {
      const text = readFileSync(journal, 'utf8');
      return text.includes('done') ? text.trim().split('\n') : undefined;
    }, 20_000, 'the job to complete after the restart');
    expect(lines).toEqual([`start ${first.child.pid}`, `start ${second.child.pid}`, `done ${second.child.pid}`]);

    // Give a wrongly duplicated run time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
