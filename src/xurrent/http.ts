import { XurrentNetworkError, XurrentRateLimitedError } from './errors.js';
import { parseRetryAfter } from './retry-after.js';

/** The subset of the WHATWG `fetch` that the client uses. `globalThis.fetch` fits. */
export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Maximum number of characters of a response body quoted in an error message. */
const BODY_EXCERPT_LENGTH = 500;

/**
 * Sends one request with a timeout. Failures without a response (connection refused,
 * DNS, timeout) become `XurrentNetworkError`. The caller handles every HTTP status.
 */
export async function sendRequest(
  fetchFunction: FetchFunction,
  operation: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetchFunction(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new XurrentNetworkError(operation, url, error, `timed out after ${timeoutMs} ms`);
    }
    throw new XurrentNetworkError(operation, url, error);
  }
}

/**
 * Returns `XurrentRateLimitedError` for a 429 or 503 response, with the wait from its
 * `Retry-After` header, or undefined for any other status.
 */
export function rateLimitedError(
  operation: string,
  response: Response,
  bodyExcerpt: string,
  nowMs: number,
): XurrentRateLimitedError | undefined {
  if (response.status !== 429 && response.status !== 503) {
    return undefined;
  }
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  return new XurrentRateLimitedError(operation, response.status, retryAfterSeconds, bodyExcerpt);
}

/**
 * Shortens a response body for an error message and replaces each of `secrets` (the
 * client secret, the access token) with "[REDACTED]", in case the server echoed it.
 */
export function excerptBody(body: string, secrets: readonly string[]): string {
  let text = body;
  for (const secret of secrets) {
    if (secret !== '') {
      text = text.split(secret).join('[REDACTED]');
    }
  }

  text = text.replace(/\s+/g, ' ').trim();
  return text.length > BODY_EXCERPT_LENGTH ? `${text.slice(0, BODY_EXCERPT_LENGTH)}…` : text;
}

/** Reads a body as text. A body cut off by the network raises `XurrentNetworkError`. */
export async function readBodyText(response: Response, operation: string, url: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw new XurrentNetworkError(operation, url, error);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
