import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSolution, jsonEndpoint, secretsChanged } from '../../src/index.js';
import type { JobRecord } from '../../src/storage/store.js';
import {
  createSigner,
  deliver,
  postJson,
  startRuntime,
  storeProviderPolicy,
  waitFor,
  webhookData,
  type PostResult,
  type TestRuntime,
} from '../support/harness.js';

const APP = 'note-dispatcher';
const HMAC_KEY = randomBytes(24);
const HMAC_SECRETS = [`whsec_${HMAC_KEY.toString('base64')}`, 'raw-signing-secret'];
const BASIC = 'Basic ' + Buffer.from('shop:pw-1').toString('base64');

function hmacSignature(key: Buffer | string, id: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** Standard Webhooks headers for the body, signed with the whsec_ secret unless a signature header is given. */
function signedHeaders(body: string, options: { id?: string; timestamp?: string; signature?: string } = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? nowSeconds();
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': options.signature ?? `v1,${hmacSignature(HMAC_KEY, id, timestamp, body)}`,
  };
}

function unauthorized(result: PostResult, path: string, reason: string): void {
  expect(result.status).toBe(401);
  expect(result.body.error).toBe('XAC_ENDPOINT_UNAUTHORIZED');
  expect(result.body.message).toBe(`request to /hooks/${path} rejected: ${reason}`);
}

describe('hooks route', () => {
  let runtime: TestRuntime;
  const logLines: string[] = [];
  const tokens: unknown[] = [];

  beforeAll(async () => {
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged({ appReferences: [APP] }),
        keyed: jsonEndpoint({ path: 'keyed', auth: { type: 'apiKey', header: 'X-Api-Key', keys: ['key-one', 'key-two'] } }, () => {}),
        basic: jsonEndpoint({ path: 'basic', auth: { type: 'basic', username: 'shop', password: 'pw-1' } }, () => {}),
        signed: jsonEndpoint({ path: 'signed', auth: { type: 'hmac', secrets: HMAC_SECRETS } }, () => {}),
        custom: jsonEndpoint(
          {
            path: 'custom',
            auth: {
              type: 'custom',
              verify: (request) => {
                const verdict = request.headers['x-verdict'];
                if (verdict === 'throw') throw new TypeError('verdict lookup failed');
                return verdict === 'yes' && request.rawBody.toString('utf8').includes('"order"');
              },
            },
          },
          () => {},
        ),
        open: jsonEndpoint({ path: 'open', auth: 'none' }, () => {}),
        orders: jsonEndpoint(
          { path: 'shop/orders', auth: 'none', body: z.object({ order: z.object({ id: z.number(), lines: z.array(z.string()) }) }) },
          () => {},
        ),
        token: jsonEndpoint({ path: 'token', auth: 'none' }, async (ctx) => {
          tokens.push(await ctx.clientCredentialsToken());
        }),
        tokenFor: jsonEndpoint({ path: 'token-for', auth: 'none' }, async (ctx) => {
          const body = ctx.trigger.body as { customer: string };
          tokens.push(await ctx.clientCredentialsToken({ customerAccountId: body.customer, appReference: APP }));
        }),
      },
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    runtime = await startRuntime(solution, { logger, settings: { bodyLimitBytes: 2048 } });

    const provider = await createSigner('ES256', 'https://provider.xurrent.com');
    await storeProviderPolicy(runtime, provider);
    const data = webhookData('app_instance.secrets-update', {
      app_offering: { reference: APP },
      customer_account_id: 'wdc',
      application: { nodeID: 'b2F1dGgvMg', client_id: 'cc-client-id', client_secret: 'cc-client-secret' },
    });
    const stored = await deliver(`${runtime.url}/xurrent/secrets`, await provider.sign(data));
    expect(stored.status).toBe(200);
  });

  afterAll(async () => {
    await runtime.close();
  });

  function hook(path: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
    return postJson(`${runtime.url}/hooks/${path}`, body, headers);
  }

  async function jobOf(result: PostResult): Promise<JobRecord> {
    expect(result.status).toBe(202);
    const jobs = result.body.jobs as string[];
    expect(jobs).toHaveLength(1);
    const job = await runtime.app.runtime.store.getJob(jobs[0]!);
    expect(job).toBeDefined();
    return job!;
  }

  function finishedJob(id: string): Promise<JobRecord> {
    return waitFor(async () => {
      const job = await runtime.app.runtime.store.getJob(id);
      return job && (job.status === 'succeeded' || job.status === 'failed') ? job : undefined;
    }, 10_000, `job ${id} to finish`);
  }

  async function jobCount(runbook: string): Promise<number> {
    return (await runtime.app.runtime.store.listJobs({ runbook })).length;
  }

  describe('apiKey auth', () => {
    it('rejects a missing key header', async () => {
      unauthorized(await hook('keyed', { n: 1 }), 'keyed', 'header X-Api-Key is missing; send the API key in it');
    });

    it('rejects a wrong key', async () => {
      unauthorized(await hook('keyed', { n: 1 }, { 'x-api-key': 'key-three' }), 'keyed', 'the key in header X-Api-Key is not accepted');
    });

    it('accepts either rotation key', async () => {
      expect((await hook('keyed', { n: 1 }, { 'x-api-key': 'key-one' })).status).toBe(202);
      expect((await hook('keyed', { n: 2 }, { 'x-api-key': 'key-two' })).status).toBe(202);
    });

    it('keeps the key out of the trigger', async () => {
      const job = await jobOf(await hook('keyed', { n: 3 }, { 'x-api-key': 'key-two', 'x-trace': 'trace-7' }));
      const trigger = job.trigger as { body: unknown; headers: Record<string, string> };
      expect(trigger.body).toEqual({ n: 3 });
      expect(trigger.headers['x-trace']).toBe('trace-7');
      expect(trigger.headers).not.toHaveProperty('x-api-key');
      expect(JSON.stringify(job.trigger)).not.toContain('key-two');
    });
  });

  describe('basic auth', () => {
    it('accepts the right password', async () => {
      const job = await jobOf(await hook('basic', { n: 1 }, { authorization: BASIC }));
      expect((job.trigger as { headers: Record<string, string> }).headers).not.toHaveProperty('authorization');
    });

    it('rejects a wrong password', async () => {
      const header = 'Basic ' + Buffer.from('shop:pw-2').toString('base64');
      unauthorized(await hook('basic', { n: 1 }, { authorization: header }), 'basic', 'the username or password is wrong');
    });

    it('rejects a wrong username', async () => {
      const header = 'Basic ' + Buffer.from('other:pw-1').toString('base64');
      unauthorized(await hook('basic', { n: 1 }, { authorization: header }), 'basic', 'the username or password is wrong');
    });

    it('rejects a malformed header', async () => {
      for (const header of ['Bearer abc', 'Basic', 'Basic not base64!']) {
        unauthorized(await hook('basic', { n: 1 }, { authorization: header }), 'basic', 'an Authorization: Basic header is required');
      }
    });
  });

  describe('hmac auth', () => {
    it('accepts a whsec_ secret signature', async () => {
      const body = JSON.stringify({ order: 1 });
      const job = await jobOf(await hook('signed', body, signedHeaders(body)));
      expect((job.trigger as { headers: Record<string, string> }).headers).not.toHaveProperty('webhook-signature');
    });

    it('accepts a raw secret signature', async () => {
      const body = JSON.stringify({ order: 2 });
      const id = 'msg_raw_secret';
      const timestamp = nowSeconds();
      const signature = `v1,${hmacSignature('raw-signing-secret', id, timestamp, body)}`;
      expect((await hook('signed', body, signedHeaders(body, { id, timestamp, signature }))).status).toBe(202);
    });

    it('rejects an old timestamp', async () => {
      const body = JSON.stringify({ order: 3 });
      const timestamp = String(Math.floor(Date.now() / 1000) - 600);
      const result = await hook('signed', body, signedHeaders(body, { timestamp }));
      expect(result.status).toBe(401);
      expect(result.body.message).toMatch(/^request to \/hooks\/signed rejected: webhook-timestamp is 60\d s away from now, more than the 300 s allowed$/);
    });

    it('rejects a tampered body', async () => {
      const headers = signedHeaders(JSON.stringify({ order: 4 }));
      const result = await hook('signed', JSON.stringify({ order: 40 }), headers);
      unauthorized(result, 'signed', 'no v1 signature in webhook-signature matches the body');
    });

    it('rejects missing signature headers', async () => {
      const result = await hook('signed', { order: 5 });
      unauthorized(result, 'signed', 'headers webhook-id, webhook-timestamp and webhook-signature are required (Standard Webhooks)');
    });

    it('verifies a request without a body', async () => {
      const headers = signedHeaders('');
      const response = await fetch(`${runtime.url}/hooks/signed`, { method: 'POST', headers });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe('the body sent to /hooks/signed is not valid JSON');

      const forged = await fetch(`${runtime.url}/hooks/signed`, { method: 'POST', headers: signedHeaders('{}') });
      expect(forged.status).toBe(401);
    });

    it('accepts the second signature', async () => {
      const body = JSON.stringify({ order: 6 });
      const id = 'msg_two_signatures';
      const timestamp = nowSeconds();
      const wrong = hmacSignature('retired-secret', id, timestamp, body);
      const right = hmacSignature(HMAC_KEY, id, timestamp, body);
      const result = await hook('signed', body, signedHeaders(body, { id, timestamp, signature: `v1,${wrong} v1,${right}` }));
      expect(result.status).toBe(202);
    });

    it('acknowledges a repeated webhook-id once', async () => {
      const before = await jobCount('signed');
      const body = JSON.stringify({ order: 7 });
      const id = 'msg_repeated';
      const first = await hook('signed', body, signedHeaders(body, { id }));
      const again = await hook('signed', body, signedHeaders(body, { id }));

      expect(first.status).toBe(202);
      expect(first.body.duplicate).toBe(false);
      expect(first.body.delivery).toBe('hook:signed:msg_repeated');
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      expect(again.body.jobs).toEqual([]);
      expect(await jobCount('signed')).toBe(before + 1);
    });
  });

  describe('custom auth', () => {
    it('accepts when verify returns true', async () => {
      expect((await hook('custom', { order: 1 }, { 'x-verdict': 'yes' })).status).toBe(202);
    });

    it('rejects when verify returns false', async () => {
      unauthorized(await hook('custom', { order: 1 }, { 'x-verdict': 'no' }), 'custom', 'the custom verify function rejected it');
    });

    it('rejects when verify throws', async () => {
      const result = await hook('custom', { order: 1 }, { 'x-verdict': 'throw' });
      unauthorized(result, 'custom', 'the custom verify function threw TypeError');
    });
  });

  describe('open endpoint', () => {
    it('accepts a request without credentials', async () => {
      const job = await jobOf(await hook('open', { n: 1 }));
      expect(job.runbook).toBe('open');
      expect(job.label).toBe('open');
    });

    it('warns at start-up', () => {
      const warnings = logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.level === 40 && entry.component !== 'receiver' && entry.code === undefined);
      const paths = warnings.map((entry) => entry.path);
      expect(paths).toEqual(['/hooks/open', '/hooks/shop/orders', '/hooks/token', '/hooks/token-for']);
      expect(warnings[0]).toMatchObject({
        runbook: 'open',
        msg: 'endpoint has auth: none; anyone who can reach it can run this runbook with any customer\'s credentials',
      });
    });
  });

  describe('request bodies', () => {
    it('rejects a body that fails its schema', async () => {
      const result = await hook('shop/orders', { order: { id: 'A-1', lines: [] } });
      expect(result.status).toBe(422);
      expect(result.body.error).toBe('XAC_BODY_INVALID');
      expect(result.body.message).toMatch(/^the body sent to \/hooks\/shop\/orders does not match its schema: body\.order\.id: /);
    });

    it('passes a valid body to the job', async () => {
      const job = await jobOf(await hook('shop/orders', { order: { id: 7, lines: ['toner'] } }));
      expect((job.trigger as { body: unknown }).body).toEqual({ order: { id: 7, lines: ['toner'] } });
    });

    it('rejects invalid JSON', async () => {
      const result = await hook('open', '{"n": ');
      expect(result.status).toBe(400);
      expect(result.body.error).toBe('XAC_BODY_NOT_JSON');
      expect(result.body.message).toBe('the body sent to /hooks/open is not valid JSON');
    });

    it('rejects an unknown path', async () => {
      const result = await hook('missing/path', { n: 1 });
      expect(result.status).toBe(404);
      expect(result.body.error).toBe('XAC_ENDPOINT_UNKNOWN');
      expect(result.body.message).toBe('no jsonEndpoint runbook is served at /hooks/missing/path');
    });

    it('rejects a non-JSON content type', async () => {
      const response = await fetch(`${runtime.url}/hooks/open`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'n=1' });
      expect(response.status).toBe(415);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.error).toBe('FST_ERR_CTP_INVALID_MEDIA_TYPE');
      expect(body.message).toBe('content type is not supported; send application/json');
    });

    it('rejects a body over the limit', async () => {
      const result = await hook('open', { text: 'x'.repeat(3000) });
      expect(result.status).toBe(413);
      expect(result.body.error).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
      expect(result.body.message).toBe('request body is larger than the limit of 2048 bytes; check the sender, or raise XAC_BODY_LIMIT_BYTES');
    });
  });

  describe('customer credentials', () => {
    it('takes ids from the body', async () => {
      const job = await jobOf(await hook('open', { customer_account_id: 'wdc', app_reference: APP, n: 1 }));
      expect(job.customerAccountId).toBe('wdc');
      expect(job.appReference).toBe(APP);
      expect(job.label).toBe(`${APP}@wdc`);
      expect(job.trigger).toMatchObject({ customerAccountId: 'wdc', appReference: APP });
    });

    it('fails naming customer and app without secrets', async () => {
      const job = await jobOf(await hook('token', { customer_account_id: 'acme', app_reference: APP }));
      const finished = await finishedJob(job.id);
      expect(finished.status).toBe('failed');
      expect(finished.attempts).toBe(1);
      expect(finished.lastError).toBe(
        `no client credentials application stored for customer acme and app ${APP}; is the app installed in that account?`,
      );
    });

    it('fails asking for a target without ids', async () => {
      const job = await jobOf(await hook('token', { n: 1 }));
      const finished = await finishedJob(job.id);
      expect(finished.status).toBe('failed');
      expect(finished.lastError).toBe(
        'clientCredentialsToken: the trigger of runbook token names no customer account and app reference; ' +
          'pass { customerAccountId, appReference } to the action',
      );
    });

    it('returns stored credentials for explicit ids', async () => {
      tokens.length = 0;
      const job = await jobOf(await hook('token-for', { customer: 'wdc' }));
      const finished = await finishedJob(job.id);
      expect(finished.status).toBe('succeeded');
      expect(tokens).toEqual([{ oauthApplicationNodeId: 'b2F1dGgvMg', clientId: 'cc-client-id', clientSecret: 'cc-client-secret' }]);
    });
  });
});
