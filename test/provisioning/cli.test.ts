import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runXac, type CliResult } from '../support/cli.js';
import { waitFor } from '../support/harness.js';
import { APP, CONFIGURATION_URI } from './fixtures/solution.js';
import { childEnv, readDraftTemplates, startSetup, type Setup } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOLUTION = join(root, 'test/provisioning/fixtures/solution.ts');


function xac(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runXac(args, env, { timeoutMs: 60_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('xac provision', () => {
  let setup: Setup;

  beforeEach(async () => {
    setup = await startSetup();
  });

  afterEach(async () => {
    await setup.close();
  });

  it('provisions, then reports no changes', async () => {
    const url = setup.runtime.url;

    const first = await xac(['provision', SOLUTION], childEnv(setup));

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Provider account provider, receiver ${url}`);
    expect(lines[1]).toBe('5 changes made:');
    expect(lines[2]).toBe('  + create provider webhook policy (es256): no provisioned policy is recorded in the database');
    expect(lines[7]).toMatch(/^Webhooks verified: app_instance\.secrets-update \(\S+\), app_instance\.create \(\S+\), app_instance\.delete \(\S+\)\.$/);
    expect((await setup.sim.control.webhooks({})).map((webhook) => [webhook.event, webhook.verified])).toEqual([
      ['app_instance.secrets-update', true],
      ['app_instance.create', true],
      ['app_instance.delete', true],
    ]);
    expect(await readDraftTemplates(setup.sim, APP)).toEqual({
      webhookUriTemplate: `${url}/xurrent/automation/${APP}?customer_account_id={account}`,
      configurationUriTemplate: CONFIGURATION_URI,
    });

    const second = await xac(['provision', SOLUTION], childEnv(setup));

    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`Provider account provider, receiver ${url}\nNo changes: the provider account matches the solution.\n`);
  });

  it('dry run changes nothing', async () => {
    const result = await xac(['provision', SOLUTION, '--dry-run'], childEnv(setup));

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toBe('5 changes needed (dry run, nothing was changed):');
    const url = setup.runtime.url;
    expect(lines.slice(2)).toEqual([
      '  + create provider webhook policy (es256): no provisioned policy is recorded in the database',
      `  + create webhook app_instance.secrets-update → ${url}/xurrent/secrets for ${APP}: none exists`,
      `  + create webhook app_instance.create → ${url}/xurrent/installations for ${APP}: none exists`,
      `  + create webhook app_instance.delete → ${url}/xurrent/installations for ${APP}: none exists`,
      `  ~ update app offering ${APP} (draft ${setup.offeringId}): ` +
        `webhookUriTemplate (none) → ${url}/xurrent/automation/${APP}?customer_account_id={account}; ` +
        `configurationUriTemplate (none) → ${CONFIGURATION_URI}`,
    ]);
    expect(await setup.sim.control.webhooks({})).toEqual([]);
    expect(await setup.runtime.app.runtime.store.getProviderPolicy()).toBeUndefined();
  });

  it('fails without XAC_PUBLIC_URL', async () => {
    const result = await xac(['provision', SOLUTION], childEnv(setup, { XAC_PUBLIC_URL: undefined }));

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'xac: XAC_PUBLIC_URL is missing; set it to the base URL at which Xurrent reaches xac serve, for example https://xac.example.com\n',
    );
  });

  it('points at xac check for a missing scope', async () => {
    const application = await setup.sim.control.createOauthApplication({
      account: 'provider',
      grantType: 'client_credentials',
      scopes: ['account:R', 'app-offering:CRU', 'webhook:CRUD'],
    });
    const env = childEnv(setup, { XAC_PROVIDER_CLIENT_ID: application.clientId, XAC_PROVIDER_CLIENT_SECRET: application.clientSecret });

    const result = await xac(['provision', SOLUTION], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "xac: webhookPolicyCreate failed: Unauthorized; the provider's OAuth application lacks a scope that this request needs, " +
        'so run xac check to list the missing ones\n',
    );
  });

  it('reports an unreachable receiver', async () => {
    const port = await freePort();
    const result = await xac(['provision', SOLUTION], childEnv(setup, { XAC_PUBLIC_URL: `http://127.0.0.1:${port}` }));

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('Warning: the receiver is not reachable'))).toEqual([
      `Warning: the receiver is not reachable: GET http://127.0.0.1:${port}/healthz failed (ECONNREFUSED). ` +
        `Xurrent's webhook.verify will fail until xac serve runs at http://127.0.0.1:${port}`,
    ]);
    expect(lines.at(-1)).toMatch(/^Webhooks not verified, because the receiver is not reachable: app_instance\.secrets-update \(\S+\), /);
  });

  it('deprovisions', async () => {
    await xac(['provision', SOLUTION], childEnv(setup));

    const result = await xac(['deprovision', SOLUTION], childEnv(setup));

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toBe('4 changes made:');
    expect(lines.at(-1)).toBe('App offerings are left as they are.');
    expect(await setup.sim.control.webhooks({})).toEqual([]);
  });
});

describe('xac serve --provision', () => {
  let setup: Setup;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    setup = await startSetup();
  });

  afterEach(async () => {
    child?.kill('SIGKILL');
    await setup.close();
  });

  it('listens, provisions and verifies', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // The test's own receiver only provides the database here; the child serves at its own port.
    child = spawn(process.execPath, [join(root, 'bin/xac.js'), 'serve', SOLUTION, '--provision', '--port', String(port)], {
      env: childEnv(setup, { XAC_PUBLIC_URL: url, XAC_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });

    const finished = await waitFor(
      () => output.split('\n').find((line) => line.includes('"provisioning: 5 changes made"')),
      30_000,
      'xac serve to finish provisioning',
    );

    const entry = JSON.parse(finished) as { verification: { status: string; pending: unknown[] }; changes: string[] };
    expect(entry.verification.status).toBe('awaited');
    expect(entry.verification.pending).toEqual([]);
    expect((await setup.sim.control.webhooks({})).map((webhook) => [webhook.uri, webhook.verified])).toEqual([
      [`${url}/xurrent/secrets`, true],
      [`${url}/xurrent/installations`, true],
      [`${url}/xurrent/installations`, true],
    ]);
  });
});
