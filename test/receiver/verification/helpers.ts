import { readFileSync, readdirSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';

import { VerificationError } from '../../../src/receiver/verification/errors.js';
import type { VerificationErrorCode } from '../../../src/receiver/verification/errors.js';
import type { WebhookPolicy, WebhookPolicyAlgorithm } from '../../../src/receiver/verification/policy.js';

/**
 * Folder of the shared Xurrent fixtures. It sits beside the repository (`<parent>/shared`),
 * both here and in CI, so it is resolved from this file and never by absolute path.
 */
export const FIXTURES_URL = new URL('../../../../shared/fixtures/xurrent/', import.meta.url);

/** Fields of a fixture JSON file that the tests read. */
export interface Fixture {
  fixture: string;
  kind: string;
  jwt?: string;
  body?: string;
  derived_from?: string;
  expected_result?: 'accept' | 'reject';
  candidate_policy_keys?: string[];
  expected_claims?: { alg: string; issuer: string; audience: string | null };
  verify_with?: { key_file: string; algorithms: string[]; issuer: string; audience?: string | null; currentDate: number };
  verification?: { full_check?: { options?: { currentDate?: number } } };
  decoded?: { claims?: { data?: unknown } };
}

export function readFixtureFolder(folder: string): Array<{ file: string; fixture: Fixture }> {
  const folderUrl = new URL(`${folder}/`, FIXTURES_URL);
  return readdirSync(folderUrl)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, fixture: JSON.parse(readFileSync(new URL(file, folderUrl), 'utf8')) as Fixture }));
}

export function readFixtureText(relativePath: string): string {
  return readFileSync(new URL(relativePath, FIXTURES_URL), 'utf8');
}

/** Builds the policy a fixture names: `verify_with` when present, else its expected claims and key. */
export function fixturePolicy(fixture: Fixture): WebhookPolicy {
  if (fixture.verify_with !== undefined) {
    const verifyWith = fixture.verify_with;
    return {
      algorithm: verifyWith.algorithms[0] as WebhookPolicyAlgorithm,
      publicKeyPem: readFixtureText(verifyWith.key_file),
      issuer: verifyWith.issuer,
      audience: verifyWith.audience ?? null,
    };
  }

  const claims = fixture.expected_claims;
  const keyFile = fixture.candidate_policy_keys?.[0];
  if (claims === undefined || keyFile === undefined) {
    throw new Error(`Fixture ${fixture.fixture} has neither verify_with nor expected_claims with a key`);
  }
  return {
    algorithm: claims.alg as WebhookPolicyAlgorithm,
    publicKeyPem: readFixtureText(keyFile),
    issuer: claims.issuer,
    audience: claims.audience,
  };
}

/** Captures the VerificationError of a rejected promise or throwing function, failing if there is none. */
export async function captureError(action: () => unknown): Promise<VerificationError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof VerificationError) {
      return error;
    }
    throw error;
  }
  throw new Error('Expected a VerificationError, but the call succeeded');
}

export async function expectCode(action: () => unknown, code: VerificationErrorCode): Promise<VerificationError> {
  const error = await captureError(action);
  if (error.code !== code) {
    throw new Error(`Expected ${code}, got ${error.code}: ${error.message}`);
  }
  return error;
}

export interface TestKeyPair {
  algorithm: WebhookPolicyAlgorithm;
  privateKey: CryptoKey | KeyObject;
  publicKeyPem: string;
}

export async function createKeyPair(algorithm: WebhookPolicyAlgorithm): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return { algorithm, privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

/** Fixed clock of the generated tokens: 2026-01-01T00:00:00Z. */
export const NOW_SECONDS = 1_767_225_600;
export const NOW = new Date(NOW_SECONDS * 1000);
export const ISSUER = 'https://wdc.xurrent.com';
export const AUDIENCE = 'integrations provided by prov@xurrent.com';

export const SAMPLE_DATA = {
  webhook_id: 7,
  webhook_nodeID: 'eHVycmVudC5jb20vV2ViaG9vay83',
  account_id: 'wdc',
  account: ISSUER,
  name: 'Note dispatcher',
  event: 'automation_rule',
  object_id: 12,
  object_nodeID: 'eHVycmVudC5jb20vQXV0b21hdGlvblJ1bGUvMTI',
  person_id: 6,
  person_nodeID: 'eHVycmVudC5jb20vUGVyc29uLzY',
  person_name: 'Howard Tanner',
  payload: { text: 'Printer is on fire', url: 'https://example.com/ticket' },
};

/** Claims as Xurrent sets them; pass a key with `undefined` to leave that claim out. */
export function xurrentClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const claims: Record<string, unknown> = {
    data: SAMPLE_DATA,
    jti: 'a'.repeat(64),
    sub: '7',
    iss: ISSUER,
    nbf: NOW_SECONDS,
    iat: NOW_SECONDS,
    aud: AUDIENCE,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) {
      delete claims[name];
    }
  }
  return claims;
}

export async function signToken(keyPair: TestKeyPair, claims: JWTPayload = xurrentClaims()): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: keyPair.algorithm }).sign(keyPair.privateKey);
}

export function policyFor(keyPair: TestKeyPair, overrides: Partial<WebhookPolicy> = {}): WebhookPolicy {
  return { algorithm: keyPair.algorithm, publicKeyPem: keyPair.publicKeyPem, issuer: ISSUER, audience: AUDIENCE, ...overrides };
}
