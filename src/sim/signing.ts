import { randomUUID } from 'node:crypto';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey } from 'jose';
import { randomHex } from './ids.js';

/** Lower-case `jwtAlg` values of webhook policies that the simulator can sign with. */
export const SIGNING_ALGORITHMS = ['rs256', 'rs384', 'rs512', 'es256', 'es384', 'es512'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

export interface PolicyKeys {
  keyId: string;
  privateKey: CryptoKey;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKeyPem: string;
}

/** Generates the key pair of a webhook policy; ES512 uses P-521, RSA keys are 2048 bits. */
export async function generatePolicyKeys(jwtAlg: SigningAlgorithm): Promise<PolicyKeys> {
  const { privateKey, publicKey } = await generateKeyPair(jwtAlg.toUpperCase(), { extractable: false });
  return { keyId: randomUUID(), privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

export interface DeliveryClaims {
  data: Record<string, unknown>;
  issuer: string;
  /** The webhook id, as a string. */
  subject: string;
  audience: string | null;
  /** Minutes until `exp`; no `exp` claim when null. */
  expiresInMinutes: number | null;
  /** Issue time in epoch seconds, used for both `iat` and `nbf`. */
  issuedAt: number;
}

/** Signs one delivery attempt; every call gets a new `jti`. */
export async function signDelivery(
  policy: { jwtAlg: string; keyId: string; privateKey: CryptoKey },
  claims: DeliveryClaims,
): Promise<string> {
  const jwt = new SignJWT({ data: claims.data })
    .setProtectedHeader({ alg: policy.jwtAlg.toUpperCase(), kid: policy.keyId })
    .setIssuer(claims.issuer)
    .setSubject(claims.subject)
    .setJti(randomHex(32))
    .setIssuedAt(claims.issuedAt)
    .setNotBefore(claims.issuedAt);
  if (claims.audience !== null) jwt.setAudience(claims.audience);
  if (claims.expiresInMinutes !== null) jwt.setExpirationTime(claims.issuedAt + claims.expiresInMinutes * 60);
  return jwt.sign(policy.privateKey);
}
