import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runXac, type CliResult } from '../support/cli.js';
import { defineSolution, jsonEndpoint } from '../../src/index.js';
import { createMasterKeyRing, parseMasterKey, type MasterKeyRing } from '../../src/secrets/master-keys.js';
import { SecretStore, type SecretBlocks } from '../../src/secrets/secret-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { postJson, startRuntime, waitFor } from '../support/harness.js';

const APP = 'note-dispatcher';


function newKeyText(): string {
  return randomBytes(32).toString('base64');
}

function ringOf(current: string, previous: string[] = []): MasterKeyRing {
  return createMasterKeyRing(
    parseMasterKey(current, 'current key'),
    previous.map((text) => parseMasterKey(text, 'previous key')),
  );
}

describe('xac CLI', () => {
  let dir: string;
  let databasePath: string;
  let masterKey: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xac-cli-'));
    databasePath = join(dir, 'xac.sqlite');
    masterKey = newKeyText();
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `node bin/xac.js ...args` against the temp database, with extra variables layered on top. */
  function xac(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      XAC_DATABASE: databasePath,
      XAC_DATABASE_URL: undefined,
      XAC_MASTER_KEY: masterKey,
      XAC_PREVIOUS_MASTER_KEYS: undefined,
      XAC_LOG_LEVEL: 'warn',
      ...env,
    };
    return runXac(args, childEnv, { cwd: dir, timeoutMs: 20_000 });
  }

  /** Stores secret blocks for each customer through the SecretStore API on the CLI's database file. */
  async function storeSecrets(ring: MasterKeyRing, entries: Array<[string, SecretBlocks]>): Promise<void> {
    const store = new SqliteStore({ filename: databasePath });
    await store.migrate();
    try {
      const secretStore = new SecretStore(store, ring);
      for (const [customer, blocks] of entries) {
        await store.recordDelivery({
          delivery: { id: randomUUID(), route: '/xurrent/secrets', event: 'app_instance.secrets-update', receivedAt: new Date(), summary: {}, status: 'accepted' },
          secrets: await secretStore.encryptBlocks(customer, APP, blocks),
          jobs: [],
        });
      }
    } finally {
      await store.close();
    }
  }

  async function readSecrets(ring: MasterKeyRing, customer: string) {
    const store = new SqliteStore({ filename: databasePath });
    try {
      return await new SecretStore(store, ring).read(customer, APP);
    } finally {
      await store.close();
    }
  }

  describe('keys', () => {
    it('generates a 32-byte base64 key', async () => {
      const result = await xac(['keys', 'generate'], { XAC_MASTER_KEY: undefined });
      expect(result.code).toBe(0);
      const key = result.stdout.trim();
      expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      expect(result.stderr).toBe('');
    });

    it('rotates data keys to a new key', async () => {
      const oldKey = masterKey;
      await storeSecrets(ringOf(oldKey), [
        ['wdc', { secrets: { api_key: 'wdc-key-VALUE' } }],
        ['widget', { secrets: { api_key: 'widget-key-VALUE' } }],
      ]);
      masterKey = newKeyText();
      const advice = 'Once every process runs with the new XAC_MASTER_KEY, remove the old key from XAC_PREVIOUS_MASTER_KEYS.';

      const first = await xac(['keys', 'rotate'], { XAC_PREVIOUS_MASTER_KEYS: oldKey });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout.trim()).toBe(`Re-wrapped 2 data keys; 0 already used the current master key. ${advice}`);

      const second = await xac(['keys', 'rotate'], { XAC_PREVIOUS_MASTER_KEYS: oldKey });
      expect(second.stdout.trim()).toBe(`Re-wrapped 0 data keys; 2 already used the current master key. ${advice}`);

      expect((await readSecrets(ringOf(masterKey), 'wdc')).secrets).toEqual({ api_key: 'wdc-key-VALUE' });
      expect((await readSecrets(ringOf(masterKey), 'widget')).secrets).toEqual({ api_key: 'widget-key-VALUE' });
    });

    it('rotate names the missing previous key', async () => {
      await storeSecrets(ringOf(masterKey), [['wdc', { secrets: { api_key: 'wdc-key-VALUE' } }]]);
      const result = await xac(['keys', 'rotate'], { XAC_MASTER_KEY: newKeyText() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^xac: the data key of customer wdc and app note-dispatcher is wrapped by master key [0-9a-f]{16}, /);
      expect(result.stderr.trim()).toMatch(/add that key to XAC_PREVIOUS_MASTER_KEYS$/);
    });

    it('rotate rejects a short master key', async () => {
      const result = await xac(['keys', 'rotate'], { XAC_MASTER_KEY: randomBytes(16).toString('base64') });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('xac: XAC_MASTER_KEY is not 32 bytes of base64 (decoded 16 bytes); generate one with `xac keys generate`');
    });
  });

  describe('policy', () => {
    const issuer = 'https://provider.xurrent.com';

    it('stores and shows an ES256 key', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const file = join(dir, 'policy.pem');
      writeFileSync(file, pem);

      const set = await xac(['policy', 'set', '--public-key', file, '--algorithm', 'ES256', '--issuer', issuer, '--audience', 'integrations']);
      expect(set.stderr).toBe('');
      expect(set.code).toBe(0);
      expect(set.stdout.trim()).toBe(`Provider policy stored: ES256, issuer ${issuer}, audience integrations`);

      const show = await xac(['policy', 'show']);
      expect(show.code).toBe(0);
      const stored = JSON.parse(show.stdout) as Record<string, unknown>;
      expect(stored).toMatchObject({ algorithm: 'ES256', publicKeyPem: pem, issuer, audience: 'integrations', source: 'manual' });
      expect(Date.parse(stored.updatedAt as string)).not.toBeNaN();
    });

    it('stores the public half of a private key', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
      const file = join(dir, 'policy-private.pem');
      writeFileSync(file, privateKey.export({ type: 'sec1', format: 'pem' }).toString());

      const set = await xac(['policy', 'set', '--public-key', file, '--algorithm', 'es512', '--issuer', `${issuer}/`]);
      expect(set.code).toBe(0);
      expect(set.stdout.trim().split('\n')).toEqual([
        'The PEM contains a private key, so only the public key derived from it was stored. Delete the private key file.',
        `Provider policy stored: ES512, issuer ${issuer}`,
      ]);

      const stored = JSON.parse((await xac(['policy', 'show'])).stdout) as Record<string, unknown>;
      expect(stored.algorithm).toBe('ES512');
      expect(stored.issuer).toBe(issuer);
      expect(stored.audience).toBeNull();
      expect(stored.publicKeyPem).toBe(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString());
      expect(stored.publicKeyPem).not.toContain('PRIVATE');
    });

    it('rejects an unsupported algorithm', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const file = join(dir, 'policy.pem');
      writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }).toString());

      const result = await xac(['policy', 'set', '--public-key', file, '--algorithm', 'HS256', '--issuer', issuer]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        'xac: Webhook policy algorithm HS256 is not supported, because app webhooks must be signed with a private key ' +
          "that only Xurrent holds. Set the policy's algorithm to one of RS256, RS384, RS512, ES256, ES384, ES512.",
      );
      expect(existsSync(databasePath)).toBe(false);
    });

    it('reports when no policy is stored', async () => {
      await new SqliteStore({ filename: databasePath }).close();
      const result = await xac(['policy', 'show']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('No provider policy stored; run `xac policy set` or `xac provision`.');
    });

    it('rejects a missing key file', async () => {
      const file = join(dir, 'missing.pem');
      const result = await xac(['policy', 'set', '--public-key', file, '--algorithm', 'ES256', '--issuer', issuer]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`xac: cannot read --public-key ${file}: ENOENT: no such file or directory, open '${file}'`);
    });

    it('rejects a key of another curve', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const file = join(dir, 'policy.pem');
      writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }).toString());

      const result = await xac(['policy', 'set', '--public-key', file, '--algorithm', 'ES256', '--issuer', issuer]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('xac: Webhook policy key is an EC P-384 key, but algorithm ES256 requires an EC P-256 key.');
    });
  });

  describe('secrets', () => {
    it('lists names without values', async () => {
      await storeSecrets(ringOf(masterKey), [
        ['wdc', { application: { oauthApplicationNodeId: 'b2F1dGgvMg', clientId: 'cc-client-id', clientSecret: 'cc-client-secret-VALUE' }, secrets: { api_key: 'api-key-VALUE' } }],
        ['widget', { secrets: { region: 'region-VALUE' } }],
      ]);

      const table = await xac(['secrets', 'list'], { XAC_MASTER_KEY: undefined });
      expect(table.code).toBe(0);
      const lines = table.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^customer\s+app\s+name\s+updated$/);
      expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual([
        `wdc ${APP} application`,
        `wdc ${APP} secret:api_key`,
        `widget ${APP} secret:region`,
      ]);

      const json = await xac(['secrets', 'list', '--json', '--customer', 'wdc']);
      const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      expect(rows.map((row) => row.name)).toEqual(['application', 'secret:api_key']);

      for (const output of [table.stdout, json.stdout]) {
        for (const value of ['cc-client-secret-VALUE', 'cc-client-id', 'api-key-VALUE', 'region-VALUE']) {
          expect(output).not.toContain(value);
        }
      }
    });

    it('reports when none are stored', async () => {
      const store = new SqliteStore({ filename: databasePath });
      await store.migrate();
      await store.close();
      const result = await xac(['secrets', 'list']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('No secrets stored.');
    });

    it('rejects a missing database', async () => {
      const missing = join(dir, 'typo', 'xac.sqlite');
      const fix = 'set XAC_DATABASE to the file that `xac serve` uses, or run the command in its working directory';
      for (const args of [['secrets', 'list'], ['jobs', 'list'], ['policy', 'show'], ['keys', 'rotate']]) {
        const result = await xac(args, { XAC_DATABASE: missing });
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr.trim(), args.join(' ')).toBe(`xac: database ${missing} does not exist; ${fix}`);
      }
      expect(existsSync(join(dir, 'typo'))).toBe(false);
    });
  });

  describe('jobs', () => {
    let succeededId: string;
    let failedId: string;

    beforeEach(async () => {
      const solution = defineSolution({
        runbooks: {
          orders: jsonEndpoint({ path: 'orders', auth: 'none' }, (ctx) => {
            const body = ctx.trigger.body as { order: number; cancelled?: boolean };
            ctx.log.info('processing order', { order: body.order });
            if (body.cancelled) ctx.fail(`order ${body.order} is cancelled`);
          }),
        },
      });
      const runtime = await startRuntime(solution, { dir, keyRing: ringOf(masterKey) });
      try {
        const ok = await postJson(`${runtime.url}/hooks/orders`, { order: 7 });
        const cancelled = await postJson(`${runtime.url}/hooks/orders`, { order: 8, cancelled: true });
        succeededId = (ok.body.jobs as string[])[0]!;
        failedId = (cancelled.body.jobs as string[])[0]!;
        await waitFor(async () => {
          const finished = await runtime.app.runtime.store.listJobs({ status: 'failed' });
          const succeeded = await runtime.app.runtime.store.listJobs({ status: 'succeeded' });
          return finished.length === 1 && succeeded.length === 1 ? true : undefined;
        }, 10_000, 'both jobs to finish');
      } finally {
        await runtime.close();
      }
    });

    it('lists jobs newest first', async () => {
      const result = await xac(['jobs', 'list'], { XAC_MASTER_KEY: undefined });
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^id\s+runbook\s+label\s+status\s+attempts\s+backoffs\s+created\s+error$/);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(new RegExp(`^${failedId}\\s+orders\\s+orders\\s+failed\\s+1/10\\s+0\\s+\\S+\\s+order 8 is cancelled$`));
      expect(lines[2]).toMatch(new RegExp(`^${succeededId}\\s+orders\\s+orders\\s+succeeded\\s+1/10\\s+0\\s+\\S+$`));
    });

    it('filters jobs by status', async () => {
      const result = await xac(['jobs', 'list', '--status', 'failed', '--json']);
      const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
      expect(rows.map((row) => row.id)).toEqual([failedId]);
    });

    it('rejects an unknown status', async () => {
      const result = await xac(['jobs', 'list', '--status', 'done']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "error: option '--status <status>' argument 'done' is invalid. use one of queued, running, succeeded, failed",
      );
    });

    it('shows a job with its logs', async () => {
      const result = await xac(['jobs', 'show', failedId]);
      expect(result.code).toBe(0);
      const job = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(job).toMatchObject({ id: failedId, runbook: 'orders', status: 'failed', lastError: 'order 8 is cancelled', attempts: 1 });
      expect((job.trigger as { body: unknown }).body).toEqual({ order: 8, cancelled: true });
      expect(job.logs).toEqual([{ at: expect.any(String), attempt: 1, level: 'info', message: 'processing order', data: { order: 8 } }]);
    });

    it('show names an unknown job', async () => {
      const result = await xac(['jobs', 'show', 'no-such-job']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('xac: job no-such-job not found; list jobs with `xac jobs list`');
    });

    it('retries a failed job', async () => {
      const result = await xac(['jobs', 'retry', failedId]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`Job ${failedId} queued again.`);

      const job = JSON.parse((await xac(['jobs', 'show', failedId])).stdout) as Record<string, unknown>;
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(0);
    });

    it('rejects retry of a succeeded job', async () => {
      const result = await xac(['jobs', 'retry', succeededId]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`xac: job ${succeededId} is succeeded, not failed; only failed jobs can be retried`);
    });
  });
});
