import { existsSync, readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

import { parseEnvelope } from '../../../src/receiver/verification/envelope.js';
import type { VerificationErrorCode } from '../../../src/receiver/verification/errors.js';
import { verifyDelivery } from '../../../src/receiver/verification/verify.js';
import { FIXTURES_URL, captureError, fixturePolicy, readFixtureFolder } from './helpers.js';
import type { Fixture } from './helpers.js';

/** Code each negative fixture must be rejected with. A new negative fixture needs an entry here. */
const EXPECTED_REJECTIONS: Record<string, VerificationErrorCode> = {
  'body.NEG-jwt-not-a-string': 'XAC_ENVELOPE_JWT_NOT_STRING',
  'body.NEG-missing-jwt-property': 'XAC_ENVELOPE_JWT_MISSING',
  'body.NEG-not-json': 'XAC_ENVELOPE_NOT_JSON',
  'es256-testkey.NEG-audience-claim-wrong': 'XAC_JWT_AUDIENCE_MISMATCH',
  'verify-event.4me-staging.rs256.NEG-alg-hs256-public-key-as-hmac-secret': 'XAC_JWT_ALGORITHM_NOT_ALLOWED',
  'verify-event.4me-staging.rs256.NEG-alg-none': 'XAC_JWT_ALGORITHM_NOT_ALLOWED',
  'verify-event.4me-staging.rs256.NEG-payload-byte-flipped': 'XAC_JWT_SIGNATURE_INVALID',
};

/** Clock of a fixture check: `verify_with.currentDate` when given, else the token's own `iat`. */
function fixtureClock(fixture: Fixture, jwt: string): () => Date {
  const seconds = fixture.verify_with?.currentDate ?? decodeJwt(jwt).iat;
  if (typeof seconds !== 'number') {
    throw new Error(`Fixture ${fixture.fixture} has no currentDate and its token no iat`);
  }
  return () => new Date(seconds * 1000);
}

/** Decoded `data` that a fixture carries: inline, or in payloads/ for files derived from jwt-data/. */
function expectedData(fixture: Fixture): unknown[] {
  const expected: unknown[] = [];
  if (fixture.decoded?.claims?.data !== undefined) {
    expected.push(fixture.decoded.claims.data);
  }
  if (fixture.derived_from?.startsWith('jwt-data/') === true) {
    const payloadUrl = new URL(fixture.derived_from.replace('jwt-data/', 'payloads/'), FIXTURES_URL);
    if (existsSync(payloadUrl)) {
      expected.push((JSON.parse(readFileSync(payloadUrl, 'utf8')) as { data: unknown }).data);
    }
  }
  return expected;
}

const positives = [...readFixtureFolder('real'), ...readFixtureFolder('resigned')];
const negatives = readFixtureFolder('negative');

describe('positive fixtures', () => {
  it('folders are not empty', () => {
    expect(readFixtureFolder('real').length).toBeGreaterThan(0);
    expect(readFixtureFolder('resigned').length).toBeGreaterThan(0);
  });

  it.each(positives)('$file verifies', async ({ fixture }) => {
    expect(fixture.expected_result).not.toBe('reject');
    const jwt = parseEnvelope(fixture.body ?? '');
    expect(jwt).toBe(fixture.jwt);

    const policy = fixturePolicy(fixture);
    const result = await verifyDelivery(jwt, policy, { now: fixtureClock(fixture, jwt) });

    expect(result.claims.iss).toBe(policy.issuer);
    if (policy.audience !== null && policy.audience !== undefined) {
      expect(result.claims.aud).toBe(policy.audience);
    }
    expect(result.claims.jti).toMatch(/^[0-9a-f]{64}$/);
    for (const data of expectedData(fixture)) {
      expect(result.data).toEqual(data);
    }
  });

  it('real delivery carries decoded data', () => {
    const real = readFixtureFolder('real');
    expect(real.every(({ fixture }) => expectedData(fixture).length > 0)).toBe(true);
  });

  it('real delivery is too old today', async () => {
    const [first] = readFixtureFolder('real');
    const fixture = first!.fixture;
    const error = await captureError(() => verifyDelivery(fixture.jwt!, fixturePolicy(fixture)));
    expect(error.code).toBe('XAC_JWT_TOO_OLD');
  });
});

describe('negative fixtures', () => {
  it('folder is not empty', () => {
    expect(negatives.length).toBeGreaterThan(0);
  });

  it.each(negatives)('$file is rejected', async ({ fixture }) => {
    expect(fixture.expected_result).toBe('reject');
    const expectedCode = EXPECTED_REJECTIONS[fixture.fixture];
    expect(expectedCode, `add the expected code of ${fixture.fixture} to EXPECTED_REJECTIONS`).toBeDefined();

    const error = await captureError(async () => {
      const jwt = parseEnvelope(fixture.body ?? '');
      await verifyDelivery(jwt, fixturePolicy(fixture), { now: fixtureClock(fixture, jwt) });
    });

    expect(error.code).toBe(expectedCode);
    if (fixture.jwt !== undefined) {
      expect(error.message).not.toContain(fixture.jwt.split('.')[1]);
    }
  });
});
