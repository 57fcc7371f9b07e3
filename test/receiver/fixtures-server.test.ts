import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged, secretsChanged } from '../../src/index.js';
import { postJson, startRuntime, type TestRuntime } from '../support/harness.js';

// shared/ lies beside the repository, in CI as on a developer's machine.
const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/xurrent/', import.meta.url));

interface Fixture {
  fixture: string;
  body: string;
  jwt?: string;
  http?: { headers?: Record<string, string> };
  expected_claims?: { alg: string; issuer: string; audience?: string };
  candidate_policy_keys?: string[];
  verify_with?: { key_file: string; algorithms: string[]; issuer: string; audience?: string; currentDate?: number };
  expected_result?: string;
}

function load(folder: string): Fixture[] {
  return readdirSync(FIXTURES + folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(`${FIXTURES}${folder}/${name}`, 'utf8')) as Fixture);
}

/** Reads iat without verifying, only to set the test clock to the token's issue time. */
function issuedAt(jwt: string): number {
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number }).iat;
}

function eventOf(jwt: string): string {
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { data: { event: string } }).data.event;
}

describe('fixtures through the receiver', () => {
  let runtime: TestRuntime;
  let clock = new Date();
  const callbacks: string[] = [];

  beforeAll(async () => {
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged(),
        create: installationChanged({ event: 'app_instance.create' }, () => {}),
      },
    });
    // The verification callbacks point at Xurrent test hosts that cannot be reached from here.
    const fetchStub: typeof fetch = async (input) => {
      callbacks.push(String(input));
      return new Response('', { status: 200 });
    };
    runtime = await startRuntime(solution, { now: () => clock, fetch: fetchStub, worker: false });
  });

  afterAll(async () => {
    await runtime.close();
  });

  async function usePolicy(keyFile: string, algorithm: string, issuer: string, audience: string | undefined) {
    await runtime.app.runtime.store.setProviderPolicy({
      algorithm,
      publicKeyPem: readFileSync(FIXTURES + keyFile, 'utf8'),
      issuer,
      audience: audience ?? null,
      source: 'manual',
      updatedAt: new Date(),
    });
  }

  const positives = [...load('real'), ...load('resigned')].filter((fixture) => fixture.jwt && fixture.expected_claims);

  it.each(positives.map((fixture) => [fixture.fixture, fixture] as const))('accepts %s', async (_name, fixture) => {
    const claims = fixture.expected_claims!;
    await usePolicy(fixture.candidate_policy_keys![0]!, claims.alg, claims.issuer, claims.audience);
    clock = new Date(issuedAt(fixture.jwt!) * 1000);
    const event = eventOf(fixture.jwt!);
    const route = event.endsWith('secrets-update') ? '/xurrent/secrets' : '/xurrent/installations';
    const result = await postJson(runtime.url + route, fixture.body, { 'x-xurrent-delivery': `${fixture.fixture}-${Date.now()}` });

    if (event === 'webhook.verify') {
      expect(result.status).toBe(200);
      expect(result.body.message).toBe('Webhook verified');
      expect(new URL(callbacks.at(-1)!).host).toBe(new URL(claims.issuer).host);
    } else if (fixture.fixture.includes('customer-policy')) {
      // These payloads carry a shortened placeholder instead of a real public key.
      expect(result.status).toBe(422);
      expect(result.body.error).toBe('XAC_CUSTOMER_POLICY_INVALID');
    } else if (event === 'problem.update') {
      expect(result.status).toBe(422);
      expect(result.body.error).toBe('XAC_EVENT_NOT_HANDLED');
    } else {
      expect(result.status).toBe(200);
      expect(result.body.duplicate).toBe(false);
    }
  });

  it('rejects the same fixture a minute after its window', async () => {
    const fixture = positives.find((item) => item.fixture.includes('client-credentials'))!;
    const claims = fixture.expected_claims!;
    await usePolicy(fixture.candidate_policy_keys![0]!, claims.alg, claims.issuer, claims.audience);
    clock = new Date((issuedAt(fixture.jwt!) + 360) * 1000);
    const result = await postJson(`${runtime.url}/xurrent/secrets`, fixture.body, { 'x-xurrent-delivery': 'late-1' });
    expect(result.status).toBe(401);
    expect(result.body.error).toBe('XAC_JWT_TOO_OLD');
  });

  it.each(load('negative').map((fixture) => [fixture.fixture, fixture] as const))('rejects %s', async (_name, fixture) => {
    const check = fixture.verify_with ?? { key_file: 'keys/es256.ipaas-connectors-test.pem', algorithms: ['ES256'], issuer: 'https://wdc.test.host', audience: 'public' };
    await usePolicy(check.key_file, check.algorithms[0]!, check.issuer, check.audience);
    clock = new Date((check.currentDate ?? (fixture.jwt ? issuedAt(fixture.jwt) : Date.now() / 1000)) * 1000);
    const result = await postJson(`${runtime.url}/xurrent/installations`, fixture.body, { 'x-xurrent-delivery': `${fixture.fixture}-neg` });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(String(result.body.error)).toMatch(/^XAC_/);
    expect(JSON.stringify(result.body)).not.toContain(fixture.jwt ?? '\u0000');
  });
});
