import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createApp, type XacApp, type XacAppOptions } from '../../src/app.js';
import { pollUntil } from '../../src/poll.js';
import { createMasterKeyRing, parseMasterKey, type MasterKeyRing } from '../../src/secrets/master-keys.js';
import type { Solution } from '../../src/solution/define.js';

export interface TestRuntime {
  app: XacApp;
  url: string;
  dir: string;
  databasePath: string;
  keyRing: MasterKeyRing;
  close(): Promise<void>;
}

export function newKeyRing(): MasterKeyRing {
  return createMasterKeyRing(parseMasterKey(randomBytes(32).toString('base64'), 'test key'));
}

/** Starts receiver and worker on 127.0.0.1 with a fresh SQLite file. */
export async function startRuntime(
  solution: Solution,
  options: Partial<Omit<XacAppOptions, 'solution'>> & { dir?: string } = {},
): Promise<TestRuntime> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'xac-test-'));
  const databasePath = join(dir, 'xac.sqlite');
  const keyRing = options.keyRing ?? newKeyRing();
  const app = await createApp({
    worker: { pollIntervalMs: 50, ...(typeof options.worker === 'object' ? options.worker : {}) },
    ...options,
    solution,
    keyRing,
    databasePath,
  });
  const url = await app.listen();
  return {
    app,
    url,
    dir,
    databasePath,
    keyRing,
    async close() {
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Signer {
  algorithm: string;
  issuer: string;
  audience?: string;
  publicKeyPem: string;
  sign(data: Record<string, unknown>, claims?: JWTPayload & { iatSeconds?: number }): Promise<string>;
}

/** Creates a webhook policy's key pair that signs as Xurrent does: iss, sub, jti, iat = nbf, aud when set. */
export async function createSigner(algorithm = 'ES256', issuer = 'https://provider.xurrent.com', audience?: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const publicKeyPem = await exportSPKI(publicKey);
  return {
    algorithm,
    issuer,
    audience,
    publicKeyPem,
    async sign(data, claims = {}) {
      const { iatSeconds, ...rest } = claims;
      const iat = iatSeconds ?? Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ data, ...rest })
        .setProtectedHeader({ alg: algorithm, kid: randomUUID() })
        .setIssuer(issuer)
        .setSubject('7')
        .setJti(randomBytes(32).toString('hex'))
        .setIssuedAt(iat)
        .setNotBefore(iat);
      if (audience) jwt.setAudience(audience);
      return jwt.sign(privateKey);
    },
  };
}

export async function storeProviderPolicy(runtime: TestRuntime, signer: Signer): Promise<void> {
  await runtime.app.runtime.store.setProviderPolicy({
    algorithm: signer.algorithm,
    publicKeyPem: signer.publicKeyPem,
    issuer: signer.issuer,
    audience: signer.audience ?? null,
    source: 'manual',
    updatedAt: new Date(),
  });
}

export interface PostResult {
  status: number;
  body: Record<string, unknown>;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

/** Posts a signed delivery with a fresh X-Xurrent-Delivery id unless one is given. */
export async function deliver(url: string, jwt: string, headers: Record<string, string> = {}): Promise<PostResult> {
  return postJson(url, { jwt }, { 'x-xurrent-delivery': randomUUID(), 'user-agent': 'xurrent/1.0 (https://developer.xurrent.com/v1/webhooks)', ...headers });
}

export function webhookData(event: string, payload: Record<string, unknown>, account = 'provider'): Record<string, unknown> {
  return {
    webhook_id: 7,
    webhook_nodeID: 'dGVzdC5ob3N0L1dlYmhvb2svNw',
    account_id: account,
    account: `https://${account}.xurrent.com`,
    name: event,
    event,
    object_id: 12,
    object_nodeID: 'dGVzdC5ob3N0L0FwcEluc3RhbmNlLzEy',
    person_id: 6,
    person_nodeID: 'dGVzdC5ob3N0L1BlcnNvbi82',
    person_name: 'Howard Tanner',
    payload,
  };
}

/** Polls until the check returns a value other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const { value, done } = await pollUntil(async () => check(), (value) => value !== undefined, { timeoutMs, intervalMs: 25 });
  if (!done) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return value as T;
}
