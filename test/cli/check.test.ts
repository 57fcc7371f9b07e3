import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runXac, type CliResult } from '../support/cli.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { REQUIRED_PROVIDER_SCOPES } from '../../src/xurrent/index.js';



describe('xac check', () => {
  let sim: RunningSimulator;

  beforeEach(async () => {
    sim = await startSimulator();
  });

  afterEach(async () => {
    await sim.close();
  });

  function check(credentials: { clientId: string; clientSecret: string }, extra: Record<string, string | undefined> = {}): Promise<CliResult> {
    const env: Record<string, string | undefined> = {
      ...process.env,
      XAC_LOG_LEVEL: 'warn',
      XAC_PROVIDER_ACCOUNT: sim.providerAccountId,
      XAC_PROVIDER_CLIENT_ID: credentials.clientId,
      XAC_PROVIDER_CLIENT_SECRET: credentials.clientSecret,
      XAC_XURRENT_OAUTH_URL: `${sim.oauthUrl}/token`,
      XAC_XURRENT_GRAPHQL_URL: sim.graphqlUrl,
      XAC_XURRENT_ACCOUNT_URL_PATTERN: sim.accountUrlPattern,
      XAC_XURRENT_STAGE: undefined,
      XAC_XURRENT_REGION: undefined,
      XAC_PUBLIC_URL: 'https://xac.example.com',
      ...extra,
    };
    return runXac(['check'], env);
  }

  const formLink = () =>
    `${sim.accountUrl('provider')}/oauth_applications/new?name=Xurrent%20App%20Connector` +
    `&scopes=${encodeURIComponent(REQUIRED_PROVIDER_SCOPES.join(','))}&grant_type=client_credentials`;

  it('reads settings from the XAC_CONFIG file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xac-config-'));
    const file = join(dir, 'xac.json');
    writeFileSync(
      file,
      JSON.stringify({
        providerAccount: sim.providerAccountId,
        clientId: sim.providerApplication.clientId,
        clientSecret: sim.providerApplication.clientSecret,
        oauthUrl: `${sim.oauthUrl}/token`,
        graphqlUrl: sim.graphqlUrl,
        accountUrlPattern: sim.accountUrlPattern,
      }),
    );
    try {
      const result = await check(sim.providerApplication, {
        XAC_CONFIG: file,
        XAC_PROVIDER_ACCOUNT: undefined,
        XAC_PROVIDER_CLIENT_ID: undefined,
        XAC_PROVIDER_CLIENT_SECRET: undefined,
        XAC_XURRENT_OAUTH_URL: undefined,
        XAC_XURRENT_GRAPHQL_URL: undefined,
        XAC_XURRENT_ACCOUNT_URL_PATTERN: undefined,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an XAC_CONFIG file that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xac-config-'));
    const file = join(dir, 'xac.json');
    writeFileSync(file, 'providerAccount = acme');
    try {
      const result = await check(sim.providerApplication, { XAC_CONFIG: file });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`XAC_CONFIG=${file} cannot be read as JSON`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes with every scope', async () => {
    const result = await check(sim.providerApplication);

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('All required scopes are granted.');
  });

  it('names a missing scope', async () => {
    const scopes = REQUIRED_PROVIDER_SCOPES.filter((scope) => !scope.startsWith('webhook-policy:')).concat('webhook-policy:R');
    const application = await sim.control.createOauthApplication({ account: 'provider', grantType: 'client_credentials', scopes });

    const result = await check(application);

    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `Provider account provider, OAuth application ${application.clientId}, token URL ${sim.oauthUrl}/token`,
      `Granted scopes: ${scopes.join(', ')}`,
      'Missing scopes: webhook-policy:CUD',
      `Create an OAuth application with the client credentials grant and the required scopes (${REQUIRED_PROVIDER_SCOPES.join(', ')}) here:`,
      `  ${formLink()}`,
      'then set XAC_PROVIDER_CLIENT_ID and XAC_PROVIDER_CLIENT_SECRET to its credentials.',
    ]);
  });

  it('reports rejected credentials', async () => {
    const result = await check({ clientId: sim.providerApplication.clientId, clientSecret: 'wrong-secret' });

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toBe('Failed: provider credentials rejected by Xurrent: invalid_grant (Invalid client credentials).');
    expect(lines).toContain(`  ${formLink()}`);
    expect(result.stdout).not.toContain('wrong-secret');
  });

  it('notes a missing public URL', async () => {
    const result = await check(sim.providerApplication, { XAC_PUBLIC_URL: undefined });

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('Note: XAC_PUBLIC_URL is not set; xac provision needs it.');
  });
});
