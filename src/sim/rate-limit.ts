import type { SimulatorState } from './state.js';

const BURST_WINDOW_MS = 2000;
const HOUR_MS = 3600 * 1000;

interface TokenUsage {
  /** Request times within the current 2-second window. */
  recent: number[];
  hourStart: number;
  hourRequests: number;
  hourCost: number;
  lastCost: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number; reason: string };

/** Xurrent's per-token limits: requests per 2 s, requests per hour and query cost per hour. */
export class RateLimiter {
  private readonly usage = new Map<string, TokenUsage>();

  constructor(private readonly state: SimulatorState) {}

  /** Counts one request; rejects it when the burst or hourly request limit is used up. */
  admitRequest(token: string): Admission {
    const now = this.state.now();
    const usage = this.current(token, now);
    const limits = this.state.rateLimits;
    usage.recent = usage.recent.filter((time) => time > now - BURST_WINDOW_MS);
    if (usage.hourRequests >= limits.hourlyRequests) {
      return { ok: false, retryAfterSeconds: secondsUntil(usage.hourStart + HOUR_MS, now), reason: 'hourly request limit' };
    }
    if (usage.recent.length >= limits.burstRequests) {
      const oldest = usage.recent[0] ?? now;
      return { ok: false, retryAfterSeconds: secondsUntil(oldest + BURST_WINDOW_MS, now), reason: 'request rate limit' };
    }
    usage.recent.push(now);
    usage.hourRequests += 1;
    return { ok: true };
  }

  /** Charges the query cost; rejects the query when it exceeds the cost left in the hour. */
  chargeCost(token: string, cost: number): Admission {
    const now = this.state.now();
    const usage = this.current(token, now);
    usage.lastCost = cost;
    if (usage.hourCost + cost > this.state.rateLimits.hourlyCost) {
      return { ok: false, retryAfterSeconds: secondsUntil(usage.hourStart + HOUR_MS, now), reason: 'hourly cost limit' };
    }
    usage.hourCost += cost;
    return { ok: true };
  }

  /** `X-RateLimit-*` and `X-CostLimit-*` headers for a token's current usage. */
  headers(token: string): Record<string, string> {
    const now = this.state.now();
    const usage = this.current(token, now);
    const limits = this.state.rateLimits;
    const reset = String(Math.ceil((usage.hourStart + HOUR_MS) / 1000));
    return {
      'X-RateLimit-Limit': String(limits.hourlyRequests),
      'X-RateLimit-Remaining': String(Math.max(0, limits.hourlyRequests - usage.hourRequests)),
      'X-RateLimit-Reset': reset,
      'X-CostLimit-Limit': String(limits.hourlyCost),
      'X-CostLimit-Cost': String(usage.lastCost),
      'X-CostLimit-Remaining': String(Math.max(0, limits.hourlyCost - usage.hourCost)),
      'X-CostLimit-Reset': reset,
    };
  }

  /** Values of the GraphQL `rateLimit` field. */
  snapshot(token: string): { cost: number; limit: number; remaining: number; resetAt: number } {
    const now = this.state.now();
    const usage = this.current(token, now);
    return {
      cost: usage.lastCost,
      limit: this.state.rateLimits.hourlyCost,
      remaining: Math.max(0, this.state.rateLimits.hourlyCost - usage.hourCost),
      resetAt: Math.ceil((usage.hourStart + HOUR_MS) / 1000),
    };
  }

  reset(): void {
    this.usage.clear();
  }

  private current(token: string, now: number): TokenUsage {
    let usage = this.usage.get(token);
    if (!usage || now >= usage.hourStart + HOUR_MS) {
      usage = { recent: usage?.recent ?? [], hourStart: now, hourRequests: 0, hourCost: 0, lastCost: 0 };
      this.usage.set(token, usage);
    }
    return usage;
  }
}

function secondsUntil(time: number, now: number): number {
  return Math.max(1, Math.ceil((time - now) / 1000));
}
