/**
 * Error codes of webhook verification, each with the HTTP status of the receiver's response.
 *
 * 400 means the request itself is malformed. 401 means the delivery could not be
 * authenticated (bad signature, algorithm or claims, or no policy stored for it).
 * 500 means the policy stored on our side is unusable, so an operator must fix it.
 * 502 means Xurrent's verification callback failed.
 */
export const VERIFICATION_ERROR_STATUS = {
  XAC_ENVELOPE_NOT_JSON: 400,
  XAC_ENVELOPE_NOT_OBJECT: 400,
  XAC_ENVELOPE_JWT_MISSING: 400,
  XAC_ENVELOPE_JWT_NOT_STRING: 400,
  XAC_JWT_MALFORMED: 400,

  XAC_JWT_ALGORITHM_NOT_ALLOWED: 401,
  XAC_JWT_SIGNATURE_INVALID: 401,
  XAC_JWT_ISSUER_MISMATCH: 401,
  XAC_JWT_AUDIENCE_MISMATCH: 401,
  XAC_JWT_EXPIRED: 401,
  XAC_JWT_TOO_OLD: 401,
  XAC_JWT_ISSUED_IN_FUTURE: 401,
  XAC_JWT_NOT_YET_VALID: 401,
  XAC_JWT_CLAIM_MISSING: 401,
  XAC_JWT_CLAIM_INVALID: 401,
  XAC_POLICY_MISSING: 401,

  XAC_POLICY_KEY_MISSING: 500,
  XAC_POLICY_ISSUER_MISSING: 500,
  XAC_POLICY_ALGORITHM_UNSUPPORTED: 500,
  XAC_POLICY_KEY_INVALID: 500,
  XAC_POLICY_KEY_ALGORITHM_MISMATCH: 500,
  XAC_ACCOUNT_URL_INVALID: 500,

  XAC_ACCOUNT_ID_INVALID: 400,
  XAC_POLICY_ISSUER_INVALID: 400,

  XAC_VERIFY_CALLBACK_URL_INVALID: 400,
  XAC_VERIFY_CALLBACK_HOST_MISMATCH: 400,
  XAC_VERIFY_CALLBACK_FAILED: 502,
} as const;

export type VerificationErrorCode = keyof typeof VERIFICATION_ERROR_STATUS;

export interface VerificationErrorOptions {
  /** JWT claim that failed the check, such as `iss`, `aud` or `iat`. */
  claim?: string;
}

/**
 * Failure of webhook verification, with a stable `code` and the HTTP `status` of the response.
 *
 * Messages name the failed check and the fix. They never contain the token, key material
 * or payload values. No `cause` is attached, because jose's claim errors carry the decoded
 * payload, which can contain customer secrets and would end up in logs.
 */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  readonly code: VerificationErrorCode;
  readonly status: number;
  readonly claim: string | undefined;

  constructor(code: VerificationErrorCode, message: string, options: VerificationErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = VERIFICATION_ERROR_STATUS[code];
    this.claim = options.claim;
  }
}

const MAX_QUOTED_LENGTH = 200;

/**
 * Formats an untrusted value (a header `alg`, a claim such as `iss`) for an error message.
 * Control characters are removed and long values are cut, so that a crafted token cannot
 * forge log lines or flood them.
 */
export function quoteUntrusted(value: unknown): string {
  if (typeof value !== 'string') {
    return `(${value === null ? 'null' : typeof value})`;
  }
  // eslint-disable-next-line no-control-regex
  const printable = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  if (printable.length <= MAX_QUOTED_LENGTH) {
    return printable;
  }
  return `${printable.slice(0, MAX_QUOTED_LENGTH)}…`;
}
