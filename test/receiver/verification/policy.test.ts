import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { importPolicyKey, loadVerificationKey, parsePolicyAlgorithm } from '../../../src/receiver/verification/policy.js';
import { verifyDelivery } from '../../../src/receiver/verification/verify.js';
import { ISSUER, NOW, expectCode, readFixtureText, signToken, xurrentClaims } from './helpers.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });

const spki = (key: typeof rsa.publicKey): string => key.export({ type: 'spki', format: 'pem' }).toString();

describe('parsePolicyAlgorithm', () => {
  it('accepts the six algorithms', () => {
    for (const algorithm of ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']) {
      expect(parsePolicyAlgorithm(algorithm)).toBe(algorithm);
    }
  });

  it('accepts lowercase GraphQL values', () => {
    expect(parsePolicyAlgorithm('es512')).toBe('ES512');
  });

  it('rejects HS256', async () => {
    const error = await expectCode(() => parsePolicyAlgorithm('HS256'), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
    expect(error.message).toBe(
      'Webhook policy algorithm HS256 is not supported, because app webhooks must be signed with a private key ' +
        "that only Xurrent holds. Set the policy's algorithm to one of RS256, RS384, RS512, ES256, ES384, ES512.",
    );
  });

  it('rejects none', async () => {
    const error = await expectCode(() => parsePolicyAlgorithm('none'), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
    expect(error.message).toContain('algorithm none is not supported');
  });

  it('rejects PS256', async () => {
    await expectCode(() => parsePolicyAlgorithm('PS256'), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
  });

  it('rejects a non-string', async () => {
    await expectCode(() => parsePolicyAlgorithm(256), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
  });
});

describe('importPolicyKey', () => {
  it('keeps an SPKI public key', () => {
    const pem = readFixtureText('keys/rs256.wdc-4me-staging.webhook-policy-1.pem');
    const imported = importPolicyKey(pem, 'RS256');
    expect(imported).toEqual({ publicKeyPem: pem, derivedFromPrivateKey: false });
  });

  it('converts a PKCS#1 RSA public key', () => {
    const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('-----BEGIN RSA PUBLIC KEY-----');

    const imported = importPolicyKey(pkcs1, 'RS256');
    expect(imported).toEqual({ publicKeyPem: spki(rsa.publicKey), derivedFromPrivateKey: false });
  });

  it('derives from an EC PRIVATE KEY', () => {
    const sec1 = p521.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toContain('-----BEGIN EC PRIVATE KEY-----');

    const imported = importPolicyKey(sec1, 'ES512');
    expect(imported).toEqual({ publicKeyPem: spki(p521.publicKey), derivedFromPrivateKey: true });
    expect(imported.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('derives from a PKCS#8 PRIVATE KEY', () => {
    const pkcs8 = p256.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(importPolicyKey(pkcs8, 'ES256')).toEqual({ publicKeyPem: spki(p256.publicKey), derivedFromPrivateKey: true });
  });

  it('derives from an RSA PRIVATE KEY', () => {
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(importPolicyKey(pkcs1, 'RS512')).toEqual({ publicKeyPem: spki(rsa.publicKey), derivedFromPrivateKey: true });
  });

  it('rejects an RSA key for ES256', async () => {
    const error = await expectCode(() => importPolicyKey(spki(rsa.publicKey), 'ES256'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
    expect(error.message).toBe(
      'Webhook policy key is an RSA key of 2048 bits, but algorithm ES256 requires an EC P-256 key. ' +
        "Store the public key that Xurrent returned for this policy, or set the policy's algorithm to RS256, RS384 or RS512 to match this key.",
    );
    expect(error.status).toBe(500);
  });

  it('rejects a P-256 key for ES512', async () => {
    const error = await expectCode(() => importPolicyKey(spki(p256.publicKey), 'ES512'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
    expect(error.message).toBe(
      'Webhook policy key is an EC P-256 key, but algorithm ES512 requires an EC P-521 key. ' +
        "Store the public key that Xurrent returned for this policy, or set the policy's algorithm to ES256 to match this key.",
    );
  });

  it('rejects an EC key for RS256', async () => {
    const error = await expectCode(() => importPolicyKey(spki(p521.publicKey), 'RS256'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
    expect(error.message).toContain('is an EC P-521 key, but algorithm RS256 requires an RSA key of at least 2048 bits');
  });

  it('rejects a 1024-bit RSA key', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const error = await expectCode(() => importPolicyKey(spki(small.publicKey), 'RS256'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
    expect(error.message).toContain('an RSA key of 1024 bits');
  });

  it('rejects an Ed25519 key', async () => {
    const ed25519 = generateKeyPairSync('ed25519');
    const error = await expectCode(() => importPolicyKey(spki(ed25519.publicKey), 'ES256'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
    expect(error.message).toContain('is an ed25519 key');
  });

  it('rejects text that is no PEM', async () => {
    await expectCode(() => importPolicyKey('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', 'ES256'), 'XAC_POLICY_KEY_INVALID');
  });

  it('rejects an empty key', async () => {
    await expectCode(() => importPolicyKey('  ', 'ES256'), 'XAC_POLICY_KEY_MISSING');
  });

  it('rejects an encrypted private key', async () => {
    const encrypted = p256.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test' })
      .toString();
    const error = await expectCode(() => importPolicyKey(encrypted, 'ES256'), 'XAC_POLICY_KEY_INVALID');
    expect(error.message).toContain('"ENCRYPTED PRIVATE KEY" PEM, which is not supported');
  });

  it('hides a corrupt private key', async () => {
    const sec1 = p256.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const body = sec1.split('\n')[1]!;
    const corrupt = sec1.replace(body, `${body.slice(0, 20)}!!!!${body.slice(24)}`);

    const error = await expectCode(() => importPolicyKey(corrupt, 'ES256'), 'XAC_POLICY_KEY_INVALID');
    expect(error.message).toContain('"EC PRIVATE KEY" PEM that could not be parsed');
    expect(error.message).not.toContain(body.slice(0, 20));
  });

  it('rejects an unsupported algorithm first', async () => {
    await expectCode(() => importPolicyKey(spki(rsa.publicKey), 'HS256'), 'XAC_POLICY_ALGORITHM_UNSUPPORTED');
  });
});

describe('loadVerificationKey', () => {
  it('caches by PEM and algorithm', async () => {
    const pem = spki(p256.publicKey);
    const first = await loadVerificationKey(pem, 'ES256');
    const second = await loadVerificationKey(pem, 'ES256');
    expect(second).toBe(first);
  });

  it('keeps RSA algorithms apart', async () => {
    const pem = spki(rsa.publicKey);
    const rs256 = await loadVerificationKey(pem, 'RS256');
    const rs512 = await loadVerificationKey(pem, 'RS512');
    expect(rs512).not.toBe(rs256);
    expect(rs512.algorithm).toEqual(expect.objectContaining({ name: 'RSASSA-PKCS1-v1_5' }));
  });

  it('rejects a mismatched key', async () => {
    await expectCode(() => loadVerificationKey(spki(rsa.publicKey), 'ES256'), 'XAC_POLICY_KEY_ALGORITHM_MISMATCH');
  });
});

describe('EC PRIVATE KEY policy', () => {
  it('verifies an ES512 token', async () => {
    const sec1 = p521.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const signer = { algorithm: 'ES512' as const, privateKey: p521.privateKey, publicKeyPem: spki(p521.publicKey) };
    const jwt = await signToken(signer, xurrentClaims({ aud: undefined }));

    const result = await verifyDelivery(jwt, { algorithm: 'ES512', publicKeyPem: sec1, issuer: ISSUER }, { now: () => NOW });
    expect(result.header.alg).toBe('ES512');
    expect(result.claims.iss).toBe(ISSUER);
  });
});
