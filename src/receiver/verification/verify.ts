import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTHeaderParameters, JWTPayload, JWTVerifyOptions } from 'jose';

import { VerificationError, quoteUntrusted } from './errors.js';
import { loadVerificationKey, parsePolicyAlgorithm } from './policy.js';
import type { WebhookPolicy, WebhookPolicyAlgorithm } from './policy.js';
import { webhookDataSchema } from './webhook-data.js';
import type { WebhookData } from './webhook-data.js';

export interface VerifyDeliveryOptions {
  /** Clock used for every time check. Defaults to the system clock. */
  now?: () => Date;
  /** Maximum age of the `iat` claim in seconds. Defaults to 300. */
  maxAgeSeconds?: number;
  /** Allowed clock skew in seconds for `exp`, `nbf` and an `iat` in the future. Defaults to 60. */
  clockToleranceSeconds?: number;
}

/** Claims of a verified token. `iss`, `iat` and `jti` are always present. */
export interface VerifiedClaims extends JWTPayload {
  iss: string;
  iat: number;
  jti: string;
}

export interface VerifiedDelivery {
  header: JWTHeaderParameters;
  claims: VerifiedClaims;
  /** The `data` claim: the webhook object with event, account, person and payload. */
  data: WebhookData;
}

const DEFAULT_MAX_AGE_SECONDS = 300;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Verifies a webhook token against the webhook policy and returns its claims and `data`.
 *
 * Fails closed: without a policy, key or issuer it throws before looking at the token.
 * Then jose checks the signature with the algorithm pinned to the policy's, the issuer
 * (exact match), the audience when the policy has one, and `exp` and `nbf` with the
 * clock tolerance. After that `iat` must exist and lie within `maxAgeSeconds` in the
 * past (measured without tolerance) and at most the tolerance in the future, `jti` must
 * be a non-empty string, and `data` must match `webhookDataSchema`.
 *
 * A token with an `aud` claim is accepted when the policy has no audience. Xurrent's
 * iPaaS and App Builder verifiers do the same, and the audience is a label, not a
 * secret: signature and issuer already bind the token to the policy's account.
 *
 * The caller must still reject a `jti` it has seen before, because that needs storage.
 * Every failure is a VerificationError.
 */
export async function verifyDelivery(
  jwt: string,
  storedPolicy: WebhookPolicy | null | undefined,
  options: VerifyDeliveryOptions = {},
): Promise<VerifiedDelivery> {
  const policy = requireCompletePolicy(storedPolicy);
  const algorithm = parsePolicyAlgorithm(policy.algorithm);
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const toleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) {
    throw new RangeError(`maxAgeSeconds must be a positive number of seconds, got ${maxAgeSeconds}`);
  }
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError(`clockToleranceSeconds must be zero or a positive number of seconds, got ${toleranceSeconds}`);
  }

  if (typeof jwt !== 'string' || jwt === '') {
    throw new VerificationError('XAC_JWT_MALFORMED', 'JWT is missing or not a string. Pass the "jwt" property of the request body.');
  }

  const key = await loadVerificationKey(policy.publicKeyPem, algorithm);
  const now = options.now?.() ?? new Date();
  if (Number.isNaN(now.getTime())) {
    throw new RangeError('The now() option returned an invalid Date');
  }

  const verifyOptions: JWTVerifyOptions = {
    algorithms: [algorithm],
    issuer: policy.issuer,
    currentDate: now,
    clockTolerance: toleranceSeconds,
    requiredClaims: ['iat', 'jti'],
  };
  if (policy.audience !== undefined && policy.audience !== null && policy.audience !== '') {
    verifyOptions.audience = policy.audience;
  }

  let result;
  try {
    result = await jwtVerify(jwt, key, verifyOptions);
  } catch (error) {
    throw toVerificationError(error, jwt, policy, algorithm, toleranceSeconds);
  }

  const claims = result.payload;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // jose has already checked that iat is present (requiredClaims) and a number.
  const iat = claims.iat as number;
  // NOTE: Xurrent does not document whether a retried delivery is signed again. If it is
  // not, retries that arrive later than maxAgeSeconds after the first attempt fail here.
  if (nowSeconds - iat > maxAgeSeconds) {
    throw new VerificationError(
      'XAC_JWT_TOO_OLD',
      `JWT was issued at ${isoTime(iat)}, ${nowSeconds - iat} s ago, which exceeds the maximum age of ${maxAgeSeconds} s. ` +
        "Check this server's clock (NTP), or redeliver the webhook from Xurrent.",
      { claim: 'iat' },
    );
  }
  if (iat - nowSeconds > toleranceSeconds) {
    throw new VerificationError(
      'XAC_JWT_ISSUED_IN_FUTURE',
      `JWT was issued at ${isoTime(iat)}, ${iat - nowSeconds} s in the future, beyond the clock tolerance of ${toleranceSeconds} s. ` +
        "Check this server's clock (NTP).",
      { claim: 'iat' },
    );
  }

  if (typeof claims.jti !== 'string' || claims.jti === '') {
    throw new VerificationError(
      'XAC_JWT_CLAIM_INVALID',
      'JWT claim "jti" must be a non-empty string. Xurrent sets a unique jti on every token.',
      { claim: 'jti' },
    );
  }

  const data = parseWebhookData(claims);
  return { header: result.protectedHeader, claims: claims as VerifiedClaims, data };
}

function requireCompletePolicy(policy: WebhookPolicy | null | undefined): WebhookPolicy {
  if (policy === null || policy === undefined) {
    throw new VerificationError(
      'XAC_POLICY_MISSING',
      'No webhook policy is stored for this delivery, so it cannot be verified. Store the policy of the webhook ' +
        '(for a customer account, it arrives with the app_instance.secrets-update delivery).',
    );
  }
  if (typeof policy.publicKeyPem !== 'string' || policy.publicKeyPem.trim() === '') {
    throw new VerificationError(
      'XAC_POLICY_KEY_MISSING',
      'Webhook policy has no public key. Store the public key that Xurrent returned when the policy was created.',
    );
  }
  if (typeof policy.issuer !== 'string' || policy.issuer === '') {
    throw new VerificationError(
      'XAC_POLICY_ISSUER_MISSING',
      'Webhook policy has no issuer. Store the URL of the account that owns the policy, such as https://wdc.xurrent.com.',
    );
  }
  return policy;
}

function parseWebhookData(claims: JWTPayload): WebhookData {
  if (!Object.hasOwn(claims, 'data')) {
    throw new VerificationError(
      'XAC_JWT_CLAIM_MISSING',
      'JWT has no "data" claim, but Xurrent always puts the webhook object in "data". Check that the sender is Xurrent.',
      { claim: 'data' },
    );
  }

  const parsed = webhookDataSchema.safeParse(claims.data);
  if (!parsed.success) {
    // Issue paths and messages name fields and types, never the values.
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(data)'}: ${issue.message}`)
      .join('; ');
    throw new VerificationError(
      'XAC_JWT_CLAIM_INVALID',
      `JWT claim "data" is not a webhook object (${problems}). Xurrent sends event, payload and the webhook's ids in "data".`,
      { claim: 'data' },
    );
  }
  return parsed.data;
}

function toVerificationError(
  error: unknown,
  jwt: string,
  policy: WebhookPolicy,
  algorithm: WebhookPolicyAlgorithm,
  toleranceSeconds: number,
): unknown {
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new VerificationError(
      'XAC_JWT_ALGORITHM_NOT_ALLOWED',
      `JWT algorithm ${headerAlgorithm(jwt)} is not allowed, because the webhook policy pins ${algorithm}. ` +
        'Check that the policy stored for this account is the one attached to the webhook.',
    );
  }

  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new VerificationError(
      'XAC_JWT_SIGNATURE_INVALID',
      `JWT signature does not verify with the webhook policy's ${algorithm} public key. The token was altered or signed ` +
        'with another key. Check that the policy stored for this account is the one attached to the webhook.',
    );
  }

  if (error instanceof errors.JWTExpired) {
    const exp = error.payload.exp;
    return new VerificationError(
      'XAC_JWT_EXPIRED',
      `JWT expired at ${typeof exp === 'number' ? isoTime(exp) : 'an unknown time'}, beyond the clock tolerance of ` +
        `${toleranceSeconds} s. Check this server's clock, or redeliver the webhook from Xurrent.`,
      { claim: 'exp' },
    );
  }

  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimError(error, policy, toleranceSeconds);
  }

  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return new VerificationError(
      'XAC_JWT_MALFORMED',
      `JWT is malformed (${error.message}). Xurrent sends a compact JWS of three base64url parts.`,
    );
  }
  return error;
}

function claimError(error: InstanceType<typeof errors.JWTClaimValidationFailed>, policy: WebhookPolicy, toleranceSeconds: number): VerificationError {
  const { claim, reason, payload } = error;

  if (reason === 'missing') {
    const requirement = claim === 'aud' ? ` The webhook policy requires audience ${quoteUntrusted(policy.audience)}.` : '';
    return new VerificationError(
      'XAC_JWT_CLAIM_MISSING',
      `JWT has no "${claim}" claim.${requirement} Check that the policy stored for this account is the one attached to the webhook.`,
      { claim },
    );
  }

  if (claim === 'iss' && reason === 'check_failed') {
    return new VerificationError(
      'XAC_JWT_ISSUER_MISMATCH',
      `JWT issuer ${quoteUntrusted(payload.iss)} does not match the webhook policy's issuer ${policy.issuer}. ` +
        'Check the policy stored for this account.',
      { claim },
    );
  }

  if (claim === 'aud' && reason === 'check_failed') {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return new VerificationError(
      'XAC_JWT_AUDIENCE_MISMATCH',
      `JWT audience ${audiences.map(quoteUntrusted).join(', ')} does not match the webhook policy's audience ` +
        `${quoteUntrusted(policy.audience)}. Check the audience stored with the policy for this account.`,
      { claim },
    );
  }

  if (claim === 'nbf' && reason === 'check_failed') {
    const nbf = payload.nbf;
    return new VerificationError(
      'XAC_JWT_NOT_YET_VALID',
      `JWT is not valid before ${typeof nbf === 'number' ? isoTime(nbf) : 'an unknown time'}, beyond the clock ` +
        `tolerance of ${toleranceSeconds} s. Check this server's clock (NTP).`,
      { claim },
    );
  }

  return new VerificationError(
    'XAC_JWT_CLAIM_INVALID',
    `JWT claim "${claim}" is invalid (${error.message}). Check that the sender is Xurrent.`,
    { claim },
  );
}

function headerAlgorithm(jwt: string): string {
  try {
    return quoteUntrusted(decodeProtectedHeader(jwt).alg);
  } catch {
    return '(unreadable header)';
  }
}

function isoTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? String(epochSeconds) : date.toISOString();
}
