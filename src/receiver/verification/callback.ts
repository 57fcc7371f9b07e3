import { VerificationError, quoteUntrusted } from './errors.js';

export interface VerifyCallbackOptions {
  /** Fetch implementation, for tests or a proxy-aware client. Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Time limit for the whole callback request in milliseconds. Defaults to 10000. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const USER_AGENT = 'xurrent-app-connector';

/**
 * Confirms a verified `webhook.verify` delivery by sending a GET to its callback URL.
 *
 * The callback must have the same scheme, host name and port as the token's issuer,
 * so a delivery can only make this server call the account that signed it. The request
 * carries no credentials or cookies and does not follow redirects. Only HTTP 200 counts
 * as success, as in Xurrent's iPaaS and App Builder receivers.
 *
 * Throws XAC_VERIFY_CALLBACK_URL_INVALID, XAC_VERIFY_CALLBACK_HOST_MISMATCH (no request
 * is made) or XAC_VERIFY_CALLBACK_FAILED. Messages never show the query string, because
 * it contains a one-time code.
 */
export async function answerVerifyCallback(
  callbackUrl: string,
  issuer: string,
  options: VerifyCallbackOptions = {},
): Promise<{ ok: true }> {
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }

  const callback = parseHttpUrl(callbackUrl);
  if (callback === undefined || callback.username !== '' || callback.password !== '') {
    throw new VerificationError(
      'XAC_VERIFY_CALLBACK_URL_INVALID',
      'webhook.verify callback is not an http or https URL without credentials. ' +
        'Xurrent sends https://<account>.<domain>/webhooks/<id>/verify?code=..., so check the delivery payload.',
    );
  }
  const shownCallback = `${callback.origin}${callback.pathname}`;

  const expected = parseHttpUrl(issuer);
  if (expected === undefined || callback.origin !== expected.origin) {
    throw new VerificationError(
      'XAC_VERIFY_CALLBACK_HOST_MISMATCH',
      `webhook.verify callback ${quoteUntrusted(shownCallback)} is not on the issuer's host ` +
        `${expected === undefined ? quoteUntrusted(issuer) : expected.origin}, so it was not called. ` +
        'Check that the webhook policy stored for this account has the right issuer.',
    );
  }

  let response: Response;
  try {
    response = await fetchImplementation(callback.href, {
      method: 'GET',
      headers: { accept: '*/*', 'user-agent': USER_AGENT },
      credentials: 'omit',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new VerificationError(
      'XAC_VERIFY_CALLBACK_FAILED',
      `webhook.verify callback ${shownCallback} ${describeFetchFailure(error, timeoutMs)}. ` +
        'Check that this server can reach Xurrent, then recreate the webhook or change its URI in Xurrent to get a new webhook.verify event.',
    );
  }

  // The body is not used, so release the connection.
  await response.body?.cancel().catch(() => undefined);

  if (response.status !== 200) {
    throw new VerificationError(
      'XAC_VERIFY_CALLBACK_FAILED',
      `webhook.verify callback ${shownCallback} returned HTTP ${response.status}, expected 200. ` +
        'The verify code may have expired or been used. Recreate the webhook or change its URI in Xurrent to get a new webhook.verify event.',
    );
  }
  return { ok: true };
}

function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  // undici reports the network cause (ECONNREFUSED, ENOTFOUND) as error.cause.code.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `request failed${code}`;
}
