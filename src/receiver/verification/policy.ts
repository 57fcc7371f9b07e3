import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { importSPKI } from 'jose';
import type { CryptoKey } from 'jose';

import { VerificationError, quoteUntrusted } from './errors.js';

/** JWS algorithms that Xurrent offers for app webhook policies, all asymmetric. */
export const WEBHOOK_POLICY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;

export type WebhookPolicyAlgorithm = (typeof WEBHOOK_POLICY_ALGORITHMS)[number];

/** Webhook policy as stored for a provider or customer account: what a delivery is verified against. */
export interface WebhookPolicy {
  algorithm: WebhookPolicyAlgorithm;
  /** SPKI `PUBLIC KEY` PEM of the policy. */
  publicKeyPem: string;
  /** Exact `iss` value expected in tokens, normally the account URL such as `https://wdc.xurrent.com`. */
  issuer: string;
  /** Expected `aud` claim, or null or absent when the policy has no audience. */
  audience?: string | null;
}

/** Public half of a policy key, normalized to SPKI PEM. */
export interface ImportedPolicyKey {
  publicKeyPem: string;
  /** True when the PEM contained a private key and the public key was derived from it. */
  derivedFromPrivateKey: boolean;
}

const SUPPORTED_ALGORITHMS = WEBHOOK_POLICY_ALGORITHMS.join(', ');

/** Named curve of each ES algorithm, in Node's OpenSSL names and JOSE names. */
const EC_CURVES = {
  ES256: { openssl: 'prime256v1', jose: 'P-256' },
  ES384: { openssl: 'secp384r1', jose: 'P-384' },
  ES512: { openssl: 'secp521r1', jose: 'P-521' },
} as const;

/** Smallest RSA modulus that jose 6 accepts for RS256, RS384 and RS512. */
const MIN_RSA_MODULUS_BITS = 2048;

/**
 * Parses a policy algorithm such as `ES256` (or Xurrent's GraphQL enum value `es256`).
 * Throws XAC_POLICY_ALGORITHM_UNSUPPORTED for anything else, including HS* and `none`.
 */
export function parsePolicyAlgorithm(value: unknown): WebhookPolicyAlgorithm {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  const match = WEBHOOK_POLICY_ALGORITHMS.find((algorithm) => algorithm === upper);
  if (match !== undefined) {
    return match;
  }

  const shown = quoteUntrusted(value);
  if (upper === 'NONE' || upper?.startsWith('HS')) {
    throw new VerificationError(
      'XAC_POLICY_ALGORITHM_UNSUPPORTED',
      `Webhook policy algorithm ${shown} is not supported, because app webhooks must be signed with a private key ` +
        `that only Xurrent holds. Set the policy's algorithm to one of ${SUPPORTED_ALGORITHMS}.`,
    );
  }
  throw new VerificationError(
    'XAC_POLICY_ALGORITHM_UNSUPPORTED',
    `Webhook policy algorithm ${shown} is not supported. Set the policy's algorithm to one of ${SUPPORTED_ALGORITHMS}.`,
  );
}

/**
 * Imports the key of a webhook policy and returns its public half as SPKI PEM.
 *
 * Accepts `PUBLIC KEY` (SPKI) and `RSA PUBLIC KEY` (PKCS#1) PEMs. For `EC PRIVATE KEY`,
 * `PRIVATE KEY` and `RSA PRIVATE KEY` PEMs, the public key is derived and
 * `derivedFromPrivateKey` is set: 4me returned an `EC PRIVATE KEY` PEM for ES512 policies
 * in 2021. Throws XAC_POLICY_KEY_INVALID for anything else and
 * XAC_POLICY_KEY_ALGORITHM_MISMATCH when the key type or curve does not fit the algorithm.
 */
export function importPolicyKey(pem: string, algorithm: string): ImportedPolicyKey {
  const policyAlgorithm = parsePolicyAlgorithm(algorithm);
  const { publicKey, derivedFromPrivateKey } = readPublicKey(pem);
  assertKeyFitsAlgorithm(publicKey, policyAlgorithm);

  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { publicKeyPem, derivedFromPrivateKey };
}

/** Maximum number of imported keys in the cache. The least recently used key is dropped first. */
const MAX_CACHED_KEYS = 10_000;

const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * Imports a policy key for jose and caches the result by PEM and algorithm, so that
 * the hot path parses each key once. Rejects with the errors of `importPolicyKey`.
 */
export async function loadVerificationKey(pem: string, algorithm: string): Promise<CryptoKey> {
  const policyAlgorithm = parsePolicyAlgorithm(algorithm);
  // The cache key is a hash, so that the cache never contains a copy of a private PEM.
  const cacheKey = createHash('sha256').update(policyAlgorithm).update('\n').update(pem).digest('hex');

  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) {
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, cached);
    return cached;
  }

  const { publicKeyPem } = importPolicyKey(pem, policyAlgorithm);
  const pending = importSPKI(publicKeyPem, policyAlgorithm).catch(() => {
    keyCache.delete(cacheKey);
    throw new VerificationError(
      'XAC_POLICY_KEY_INVALID',
      `Webhook policy key could not be imported for ${policyAlgorithm}. ` +
        'Store the public key that Xurrent returned when the policy was created.',
    );
  });

  keyCache.set(cacheKey, pending);
  if (keyCache.size > MAX_CACHED_KEYS) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) {
      keyCache.delete(oldest);
    }
  }
  return pending;
}

const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function readPublicKey(pem: string): { publicKey: KeyObject; derivedFromPrivateKey: boolean } {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw new VerificationError(
      'XAC_POLICY_KEY_MISSING',
      'Webhook policy has no public key. Store the public key that Xurrent returned when the policy was created.',
    );
  }

  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  if (label === undefined) {
    throw new VerificationError(
      'XAC_POLICY_KEY_INVALID',
      'Webhook policy key is not a PEM. Store the "-----BEGIN PUBLIC KEY-----" PEM that Xurrent returned for the policy.',
    );
  }

  const isPublic = PUBLIC_LABELS.has(label);
  if (!isPublic && !PRIVATE_LABELS.has(label)) {
    throw new VerificationError(
      'XAC_POLICY_KEY_INVALID',
      `Webhook policy key is a "${label}" PEM, which is not supported. ` +
        'Store the "-----BEGIN PUBLIC KEY-----" PEM that Xurrent returned for the policy.',
    );
  }

  try {
    if (isPublic) {
      return { publicKey: createPublicKey({ key: pem, format: 'pem' }), derivedFromPrivateKey: false };
    }
    const privateKey = createPrivateKey({ key: pem, format: 'pem' });
    return { publicKey: createPublicKey(privateKey), derivedFromPrivateKey: true };
  } catch {
    // Node's parse error is not passed on: for a private PEM it could quote key material.
    throw new VerificationError(
      'XAC_POLICY_KEY_INVALID',
      `Webhook policy key is a "${label}" PEM that could not be parsed. ` +
        'Store the PEM exactly as Xurrent returned it, including the BEGIN and END lines.',
    );
  }
}

function assertKeyFitsAlgorithm(publicKey: KeyObject, algorithm: WebhookPolicyAlgorithm): void {
  const keyType = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};

  let fits: boolean;
  let required: string;
  if (algorithm.startsWith('RS')) {
    fits = keyType === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_MODULUS_BITS;
    required = `an RSA key of at least ${MIN_RSA_MODULUS_BITS} bits`;
  } else {
    const curve = EC_CURVES[algorithm as keyof typeof EC_CURVES];
    fits = keyType === 'ec' && details.namedCurve === curve.openssl;
    required = `an EC ${curve.jose} key`;
  }
  if (fits) {
    return;
  }

  const matching = algorithmsForKey(publicKey);
  const fix =
    matching === undefined
      ? 'Store the public key that Xurrent returned for this policy.'
      : `Store the public key that Xurrent returned for this policy, or set the policy's algorithm to ${matching} to match this key.`;
  throw new VerificationError(
    'XAC_POLICY_KEY_ALGORITHM_MISMATCH',
    `Webhook policy key is ${describeKey(publicKey)}, but algorithm ${algorithm} requires ${required}. ${fix}`,
  );
}

function describeKey(publicKey: KeyObject): string {
  const details = publicKey.asymmetricKeyDetails ?? {};
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return `an RSA key of ${details.modulusLength ?? 'unknown'} bits`;
    case 'ec':
      return `an EC ${joseCurveName(details.namedCurve)} key`;
    default:
      return `an ${publicKey.asymmetricKeyType ?? 'unknown'} key`;
  }
}

function joseCurveName(opensslName: string | undefined): string {
  const known = Object.values(EC_CURVES).find((curve) => curve.openssl === opensslName);
  return known?.jose ?? opensslName ?? 'unknown-curve';
}

function algorithmsForKey(publicKey: KeyObject): string | undefined {
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (publicKey.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_MODULUS_BITS) {
    return 'RS256, RS384 or RS512';
  }
  if (publicKey.asymmetricKeyType === 'ec') {
    const entry = Object.entries(EC_CURVES).find(([, curve]) => curve.openssl === details.namedCurve);
    return entry?.[0];
  }
  return undefined;
}
