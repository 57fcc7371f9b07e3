/** Wait used when a 429 or 503 response has no usable `Retry-After` header. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Parses a `Retry-After` header (RFC 9110 section 10.2.3): a number of seconds, or an
 * HTTP date. Returns whole seconds from `nowMs`, rounded up. Like Xurrent's own iPaaS
 * connectors, a missing, malformed, zero or past value yields 60 seconds.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number {
  const value = header?.trim() ?? '';
  if (value === '') {
    return DEFAULT_RETRY_AFTER_SECONDS;
  }

  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
  }

  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs) || dateMs <= nowMs) {
    return DEFAULT_RETRY_AFTER_SECONDS;
  }
  return Math.ceil((dateMs - nowMs) / 1000);
}
