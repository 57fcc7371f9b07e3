import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import { VerificationError } from '../../../src/receiver/verification/errors.js';
import { WEBHOOK_POLICY_ALGORITHMS } from '../../../src/receiver/verification/policy.js';
import type { WebhookPolicyAlgorithm } from '../../../src/receiver/verification/policy.js';
import { verifyDelivery } from '../../../src/receiver/verification/verify.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  NOW_SECONDS,
  SAMPLE_DATA,
  captureError,
  createKeyPair,
  expectCode,
  policyFor,
  signToken,
  xurrentClaims,
} from './helpers.js';
import type { TestKeyPair } from './helpers.js';

const now = (): Date => NOW;
const keyPairs = new Map<WebhookPolicyAlgorithm, TestKeyPair>();
const otherKeyPairs = new Map<WebhookPolicyAlgorithm, TestKeyPair>();

beforeAll(async () => {
  for (const algorithm of WEBHOOK_POLICY_ALGORITHMS) {
    keyPairs.set(algorithm, await createKeyPair(algorithm));
    otherKeyPairs.set(algorithm, await createKeyPair(algorithm));
  }
});

function keyPair(algorithm: WebhookPolicyAlgorithm): TestKeyPair {
  const found = keyPairs.get(algorithm);
  if (found === undefined) {
    throw new Error(`No key pair for ${algorithm}`);
  }
  return found;
}

/** Signs with the ES256 test key and verifies against its policy at NOW. */
async function verifyEs256(claims: Record<string, unknown>, policyOverrides = {}) {
  const pair = keyPair('ES256');
  const jwt = await signToken(pair, xurrentClaims(claims));
  return verifyDelivery(jwt, policyFor(pair, policyOverrides), { now });
}

async function verifyEs256Options(options: { maxAgeSeconds?: number }) {
  const pair = keyPair('ES256');
  return verifyDelivery(await signToken(pair), policyFor(pair), { now, ...options });
}

describe.each(WEBHOOK_POLICY_ALGORITHMS)('verifyDelivery %s', (algorithm) => {
  it('accepts a valid token', async () => {
    const pair = keyPair(algorithm);
    const jwt = await signToken(pair);

    const result = await verifyDelivery(jwt, policyFor(pair), { now });

    expect(result.header.alg).toBe(algorithm);
    expect(result.claims.iss).toBe(ISSUER);
    expect(result.claims.aud).toBe(AUDIENCE);
    expect(result.claims.iat).toBe(NOW_SECONDS);
    expect(result.claims.jti).toBe('a'.repeat(64));
    expect(result.data).toEqual(SAMPLE_DATA);
  });

  it('rejects another algorithm', async () => {
    const otherAlgorithm = algorithm === 'ES256' ? 'RS256' : 'ES256';
    const jwt = await signToken(keyPair(otherAlgorithm));

    const error = await expectCode(
      () => verifyDelivery(jwt, policyFor(keyPair(algorithm)), { now }),
      'XAC_JWT_ALGORITHM_NOT_ALLOWED',
    );
    expect(error.message).toContain(`JWT algorithm ${otherAlgorithm} is not allowed`);
    expect(error.message).toContain(`pins ${algorithm}`);
  });

  it('rejects another key', async () => {
    const jwt = await signToken(otherKeyPairs.get(algorithm)!);

    await expectCode(() => verifyDelivery(jwt, policyFor(keyPair(algorithm)), { now }), 'XAC_JWT_SIGNATURE_INVALID');
  });
});

describe('verifyDelivery algorithm attacks', () => {
  it('rejects alg none', async () => {
    const jwt = new UnsecuredJWT(xurrentClaims()).encode();

    const error = await expectCode(
      () => verifyDelivery(jwt, policyFor(keyPair('RS256')), { now }),
      'XAC_JWT_ALGORITHM_NOT_ALLOWED',
    );
    expect(error.message).toContain('JWT algorithm none is not allowed');
  });

  it('rejects HS256 keyed with public PEM', async () => {
    const pair = keyPair('RS256');
    const jwt = await new SignJWT(xurrentClaims())
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(pair.publicKeyPem));

    await expectCode(() => verifyDelivery(jwt, policyFor(pair), { now }), 'XAC_JWT_ALGORITHM_NOT_ALLOWED');
  });

  it('rejects a tampered payload', async () => {
    const pair = keyPair('ES256');
    const [header, payload, signature] = (await signToken(pair)).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as { data: { person_id: number } };
    claims.data.person_id = 7;
    const tampered = [header, base64url.encode(JSON.stringify(claims)), signature].join('.');

    await expectCode(() => verifyDelivery(tampered, policyFor(pair), { now }), 'XAC_JWT_SIGNATURE_INVALID');
  });

  it('rejects a malformed token', async () => {
    const error = await expectCode(
      () => verifyDelivery('not-a-jwt', policyFor(keyPair('ES256')), { now }),
      'XAC_JWT_MALFORMED',
    );
    expect(error.status).toBe(400);
  });

  it('rejects an empty token', async () => {
    await expectCode(() => verifyDelivery('', policyFor(keyPair('ES256')), { now }), 'XAC_JWT_MALFORMED');
  });
});

describe('verifyDelivery issuer and audience', () => {
  it('rejects a wrong issuer', async () => {
    const error = await expectCode(() => verifyEs256({ iss: 'https://evil.example' }), 'XAC_JWT_ISSUER_MISMATCH');
    expect(error.message).toBe(
      "JWT issuer https://evil.example does not match the webhook policy's issuer https://wdc.xurrent.com. " +
        'Check the policy stored for this account.',
    );
    expect(error.claim).toBe('iss');
    expect(error.status).toBe(401);
  });

  it('rejects an issuer with trailing slash', async () => {
    await expectCode(() => verifyEs256({ iss: `${ISSUER}/` }), 'XAC_JWT_ISSUER_MISMATCH');
  });

  it('rejects a missing issuer', async () => {
    const error = await expectCode(() => verifyEs256({ iss: undefined }), 'XAC_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('iss');
  });

  it('rejects a wrong audience', async () => {
    const error = await expectCode(() => verifyEs256({ aud: 'integrations provided by someone-else' }), 'XAC_JWT_AUDIENCE_MISMATCH');
    expect(error.message).toContain('integrations provided by someone-else');
    expect(error.message).toContain(AUDIENCE);
  });

  it('rejects a missing required audience', async () => {
    const error = await expectCode(() => verifyEs256({ aud: undefined }), 'XAC_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('aud');
    expect(error.message).toContain(`requires audience ${AUDIENCE}`);
  });

  it('accepts audience when policy has none', async () => {
    const result = await verifyEs256({}, { audience: null });
    expect(result.claims.aud).toBe(AUDIENCE);
  });

  it('accepts no audience when policy has none', async () => {
    const result = await verifyEs256({ aud: undefined }, { audience: null });
    expect(result.claims.aud).toBeUndefined();
  });

  it('accepts an audience array member', async () => {
    const result = await verifyEs256({ aud: ['other', AUDIENCE] });
    expect(result.claims.aud).toEqual(['other', AUDIENCE]);
  });
});

describe('verifyDelivery times', () => {
  it('rejects iat older than max age', async () => {
    const error = await expectCode(() => verifyEs256({ iat: NOW_SECONDS - 301, nbf: NOW_SECONDS - 301 }), 'XAC_JWT_TOO_OLD');
    expect(error.claim).toBe('iat');
    expect(error.message).toContain('301 s ago');
  });

  it('accepts iat at max age', async () => {
    const result = await verifyEs256({ iat: NOW_SECONDS - 300, nbf: NOW_SECONDS - 300 });
    expect(result.claims.iat).toBe(NOW_SECONDS - 300);
  });

  it('honors maxAgeSeconds', async () => {
    const pair = keyPair('ES256');
    const jwt = await signToken(pair, xurrentClaims({ iat: NOW_SECONDS - 31, nbf: NOW_SECONDS - 31 }));
    await expectCode(() => verifyDelivery(jwt, policyFor(pair), { now, maxAgeSeconds: 30 }), 'XAC_JWT_TOO_OLD');
  });

  it('rejects iat beyond tolerance in future', async () => {
    const error = await expectCode(() => verifyEs256({ iat: NOW_SECONDS + 61, nbf: undefined }), 'XAC_JWT_ISSUED_IN_FUTURE');
    expect(error.claim).toBe('iat');
  });

  it('accepts iat within tolerance in future', async () => {
    const result = await verifyEs256({ iat: NOW_SECONDS + 60, nbf: NOW_SECONDS + 60 });
    expect(result.claims.iat).toBe(NOW_SECONDS + 60);
  });

  it('rejects an expired exp', async () => {
    const error = await expectCode(() => verifyEs256({ exp: NOW_SECONDS - 60 }), 'XAC_JWT_EXPIRED');
    expect(error.claim).toBe('exp');
  });

  it('accepts exp within tolerance', async () => {
    const result = await verifyEs256({ exp: NOW_SECONDS - 59 });
    expect(result.claims.exp).toBe(NOW_SECONDS - 59);
  });

  it('rejects nbf in future', async () => {
    const error = await expectCode(() => verifyEs256({ nbf: NOW_SECONDS + 61 }), 'XAC_JWT_NOT_YET_VALID');
    expect(error.claim).toBe('nbf');
  });

  it('uses the system clock by default', async () => {
    const pair = keyPair('ES256');
    const seconds = Math.floor(Date.now() / 1000);
    const jwt = await signToken(pair, xurrentClaims({ iat: seconds, nbf: seconds }));

    const result = await verifyDelivery(jwt, policyFor(pair));
    expect(result.claims.iat).toBe(seconds);
  });

  it('rejects an invalid maxAgeSeconds', async () => {
    await expect(verifyEs256Options({ maxAgeSeconds: 0 })).rejects.toThrow(RangeError);
  });
});

describe('verifyDelivery required claims', () => {
  it('rejects a missing jti', async () => {
    const error = await expectCode(() => verifyEs256({ jti: undefined }), 'XAC_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('jti');
  });

  it('rejects an empty jti', async () => {
    const error = await expectCode(() => verifyEs256({ jti: '' }), 'XAC_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('jti');
  });

  it('rejects a missing iat', async () => {
    const error = await expectCode(() => verifyEs256({ iat: undefined }), 'XAC_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('iat');
  });

  it('rejects a string iat', async () => {
    const error = await expectCode(() => verifyEs256({ iat: String(NOW_SECONDS) }), 'XAC_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('iat');
  });

  it('rejects a missing data claim', async () => {
    const error = await expectCode(() => verifyEs256({ data: undefined }), 'XAC_JWT_CLAIM_MISSING');
    expect(error.claim).toBe('data');
  });

  it('rejects data without event', async () => {
    const { event: _event, ...withoutEvent } = SAMPLE_DATA;
    const error = await expectCode(() => verifyEs256({ data: withoutEvent }), 'XAC_JWT_CLAIM_INVALID');
    expect(error.claim).toBe('data');
    expect(error.message).toContain('event:');
  });

  it('hides values of invalid data', async () => {
    const data = { ...SAMPLE_DATA, webhook_id: 'secret-value-123', payload: { client_secret: 's3cr3t' } };
    const error = await expectCode(() => verifyEs256({ data }), 'XAC_JWT_CLAIM_INVALID');
    expect(error.message).toContain('webhook_id');
    expect(error.message).not.toContain('secret-value-123');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('keeps unknown data keys', async () => {
    const data = { ...SAMPLE_DATA, instance_name: 'Xurrent EU', custom_url: 'https://wdc.xurrent.com/x' };
    const result = await verifyEs256({ data });
    expect(result.data).toEqual(data);
  });

  it('accepts minimal data', async () => {
    const data = { event: 'webhook.verify', payload: { callback: 'https://wdc.xurrent.com/webhooks/7/verify?code=x' } };
    const result = await verifyEs256({ data });
    expect(result.data).toEqual(data);
  });
});

describe('verifyDelivery policy checks', () => {
  it('rejects a missing policy first', async () => {
    const error = await expectCode(() => verifyDelivery('not-a-jwt', undefined, { now }), 'XAC_POLICY_MISSING');
    expect(error.status).toBe(401);
  });

  it('rejects a null policy', async () => {
    await expectCode(() => verifyDelivery('not-a-jwt', null, { now }), 'XAC_POLICY_MISSING');
  });

  it('rejects a policy without key', async () => {
    const policy = policyFor(keyPair('ES256'), { publicKeyPem: '' });
    const error = await expectCode(() => verifyDelivery('not-a-jwt', policy, { now }), 'XAC_POLICY_KEY_MISSING');
    expect(error.status).toBe(500);
  });

  it('rejects a policy without issuer', async () => {
    const policy = policyFor(keyPair('ES256'), { issuer: '' });
    await expectCode(() => verifyDelivery('not-a-jwt', policy, { now }), 'XAC_POLICY_ISSUER_MISSING');
  });

  it('rejects a policy with HS256', async () => {
    const policy = { ...policyFor(keyPair('ES256')), algorithm: 'HS256' as WebhookPolicyAlgorithm };
    await expectCode(() => verifyDelivery('not-a-jwt', policy, { now }), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
  });

  it('rejects a policy key of other type', async () => {
    const policy = policyFor(keyPair('ES256'), { publicKeyPem: keyPair('RS256').publicKeyPem });
    await expectCode(() => verifyDelivery('not-a-jwt', policy, { now }), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
  });
});

describe('verifyDelivery error messages', () => {
  it('never contain the token', async () => {
    const pair = keyPair('ES256');
    const cases = [
      { claims: xurrentClaims({ iss: 'https://evil.example' }) },
      { claims: xurrentClaims({ aud: 'someone-else' }) },
      { claims: xurrentClaims({ iat: NOW_SECONDS - 1000, nbf: NOW_SECONDS - 1000 }) },
      { claims: xurrentClaims({ jti: undefined }) },
    ];
    for (const { claims } of cases) {
      const jwt = await signToken(pair, claims);
      const error = await captureError(() => verifyDelivery(jwt, policyFor(pair), { now }));
      expect(error).toBeInstanceOf(VerificationError);
      for (const part of jwt.split('.')) {
        expect(error.message).not.toContain(part);
      }
      expect(error.message).not.toContain(SAMPLE_DATA.payload.text);
    }
  });

  it('strip control characters from issuer', async () => {
    const error = await expectCode(() => verifyEs256({ iss: 'https://evil.example\n[INFO] forged' }), 'XAC_JWT_ISSUER_MISMATCH');
    expect(error.message).toContain('https://evil.example[INFO] forged');
    expect(error.message).not.toContain('\n');
  });
});
