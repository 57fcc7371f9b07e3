/**
 * Xurrent's rate and cost limit headers. Every GraphQL response carries the request
 * limit (`X-RateLimit-*`) and the query cost limit (`X-CostLimit-*`). Xurrent's
 * documentation gives 3600 requests and 5000 cost points per hour per token.
 */

export interface RequestLimit {
  limit: number;
  remaining: number;
  /** When the window resets, in UTC epoch seconds. */
  resetEpochSeconds: number | undefined;
}

export interface CostLimit extends RequestLimit {
  /** Cost of the request that returned these headers. */
  cost: number | undefined;
}

/** The limit headers of the last response that had them. */
export interface RateLimitSnapshot {
  requests: RequestLimit | undefined;
  cost: CostLimit | undefined;
  /** `X-Request-Id` of that response, for support requests to Xurrent. */
  requestId: string | undefined;
}

/** Remaining share of a limit below which the client logs a warning. */
export const LOW_REMAINING_RATIO = 0.1;

/** Reads the limit headers, or returns undefined when the response has none. */
export function readRateLimitHeaders(headers: Headers): RateLimitSnapshot | undefined {
  const requests = readLimit(headers, 'x-ratelimit');
  const costLimit = readLimit(headers, 'x-costlimit');
  if (requests === undefined && costLimit === undefined) {
    return undefined;
  }

  const cost = costLimit === undefined ? undefined : { ...costLimit, cost: readNumber(headers, 'x-costlimit-cost') };
  return { requests, cost, requestId: headers.get('x-request-id') ?? undefined };
}

/** Returns whether less than 10 % of the limit remains. */
export function isNearlyExhausted(limit: RequestLimit): boolean {
  return limit.limit > 0 && limit.remaining < limit.limit * LOW_REMAINING_RATIO;
}

function readLimit(headers: Headers, prefix: string): RequestLimit | undefined {
  const limit = readNumber(headers, `${prefix}-limit`);
  const remaining = readNumber(headers, `${prefix}-remaining`);
  if (limit === undefined || remaining === undefined) {
    return undefined;
  }
  return { limit, remaining, resetEpochSeconds: readNumber(headers, `${prefix}-reset`) };
}

function readNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value)) {
    return undefined;
  }
  return Number(value);
}
