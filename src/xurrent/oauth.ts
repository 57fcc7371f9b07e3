/**
 * One OAuth 2.0 client credentials token request (RFC 6749 section 4.4) against
 * Xurrent's token endpoint, with the response checked. Caching lives in token-cache.ts.
 */
import { XurrentCredentialsError, XurrentHttpError, XurrentTokenResponseError } from './errors.js';
import {
  DEFAULT_TIMEOUT_MS,
  excerptBody,
  isRecord,
  parseJson,
  rateLimitedError,
  readBodyText,
  sendRequest,
} from './http.js';
import type { FetchFunction } from './http.js';

/**
 * Lifetime assumed when a token response has no `expires_in`. Xurrent documents that
 * its access tokens are valid for one hour.
 */
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;

/** OAuth error codes (RFC 6749 section 5.2) that mean the credentials themselves are wrong. */
const CREDENTIAL_ERROR_CODES = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_scope']);

/** An access token and its lifetime, as cached and persisted. Times are epoch milliseconds. */
export interface CachedToken {
  accessToken: string;
  /** When the token request was sent, so that the expiry is never later than Xurrent's. */
  issuedAt: number;
  expiresAt: number;
}

export interface ClientCredentialsRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchFunction | undefined;
  /** Clock in epoch milliseconds. */
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
  /** Whose credentials these are, used in error messages: "provider" or "customer wdc/app phone". */
  credentialsLabel?: string | undefined;
}

/**
 * Requests a token with the client credentials grant. Throws
 * `XurrentCredentialsError` when Xurrent rejects the client id or secret,
 * `XurrentRateLimitedError` on 429 or 503, `XurrentHttpError` on any other failing
 * status, and `XurrentTokenResponseError` when a 2xx response has no bearer token.
 */
export async function requestClientCredentialsToken(request: ClientCredentialsRequest): Promise<CachedToken> {
  const fetchFunction = request.fetch ?? globalThis.fetch;
  const now = request.now ?? Date.now;
  const label = request.credentialsLabel ?? 'provider';
  const operation = `${label} token request`;

  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: request.clientId,
    client_secret: request.clientSecret,
  });
  const issuedAt = now();
  const response = await sendRequest(
    fetchFunction,
    operation,
    request.tokenUrl,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: body.toString(),
    },
    request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );

  const text = await readBodyText(response, operation, request.tokenUrl);
  const json = parseJson(text);
  if (!response.ok) {
    throw errorForStatus(response, json, excerptBody(text, [request.clientSecret]), label, operation, now());
  }

  return parseTokenResponse(request.tokenUrl, json, issuedAt);
}

function errorForStatus(
  response: Response,
  json: unknown,
  bodyExcerpt: string,
  label: string,
  operation: string,
  nowMs: number,
): Error {
  const { status } = response;
  const oauthError = isRecord(json) && typeof json.error === 'string' ? json.error : undefined;
  const description =
    isRecord(json) && typeof json.error_description === 'string' ? json.error_description : undefined;

  const rejectsCredentials =
    status === 401 || status === 403 || (status === 400 && oauthError !== undefined && CREDENTIAL_ERROR_CODES.has(oauthError));
  if (rejectsCredentials) {
    return new XurrentCredentialsError(label, status, oauthError, description);
  }
  return rateLimitedError(operation, response, bodyExcerpt, nowMs) ?? new XurrentHttpError(operation, status, bodyExcerpt);
}

function parseTokenResponse(tokenUrl: string, json: unknown, issuedAt: number): CachedToken {
  if (!isRecord(json)) {
    throw new XurrentTokenResponseError(tokenUrl, 'the body is not a JSON object');
  }

  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new XurrentTokenResponseError(tokenUrl, 'no access_token found');
  }

  // RFC 6749 requires token_type, but Xurrent's documentation lists only access_token,
  // so a missing token_type is taken as bearer. Any other type (mac, ...) is rejected.
  const tokenType = json.token_type;
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw new XurrentTokenResponseError(tokenUrl, `unsupported token_type ${JSON.stringify(tokenType)}; expected "bearer"`);
  }

  const expiresIn = parseExpiresIn(json.expires_in);
  if (expiresIn === undefined) {
    throw new XurrentTokenResponseError(
      tokenUrl,
      `expires_in must be a positive number of seconds, got ${JSON.stringify(json.expires_in)}`,
    );
  }
  return { accessToken, issuedAt, expiresAt: issuedAt + expiresIn * 1000 };
}

/** Returns the lifetime in seconds, the default when absent, or undefined when invalid. */
function parseExpiresIn(value: unknown): number | undefined {
  if (value === undefined || value === null) {
    return DEFAULT_EXPIRES_IN_SECONDS;
  }

  const seconds = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    return undefined;
  }
  return seconds;
}
