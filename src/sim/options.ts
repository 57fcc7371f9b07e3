import type { Logger } from 'pino';
import type { Clock } from './clock.js';

export interface RateLimitSettings {
  /** Requests per token in any 2-second window. */
  burstRequests: number;
  /** Requests per token per 60-minute window. */
  hourlyRequests: number;
  /** Query cost points per token per 60-minute window. */
  hourlyCost: number;
}

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free port. */
  port?: number;
  /** Account id of the provider account. Default `provider`. */
  providerAccountId?: string;
  /** Lifetime of issued access tokens in seconds. Default 3600, as Xurrent. */
  tokenLifetimeSeconds?: number;
  /** GraphQL rate limits per token. Defaults: 20 per 2 s, 3600 per hour, cost 5000 per hour. */
  rateLimits?: Partial<RateLimitSettings>;
  /**
   * Multiplier applied to the delay between delivery retries (base schedule 10 s, 20 s, 40 s …).
   * Default 1; tests use e.g. 0.001 to retry within milliseconds.
   */
  retrySpeedFactor?: number;
  /** Timeout of one delivery attempt in milliseconds. Default 10 000. */
  deliveryTimeoutMs?: number;
  /** Delay in milliseconds before an async query result is ready. Default 1000. */
  asyncResultDelayMs?: number;
  /** Scopes of the provider OAuth application created at start. Default: the scopes that the Xurrent iPaaS app connector requests. */
  providerScopes?: string[];
  clock?: Clock;
  /** pino logger; the default logs nothing. */
  logger?: Logger;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  burstRequests: 20,
  hourlyRequests: 3600,
  hourlyCost: 5000,
};

export const DEFAULT_PROVIDER_SCOPES = [
  'account:R',
  'app-instance:RU',
  'app-offering:CRU',
  'app-offering-automation-rule:CRUD',
  'app-offering-scope:CRU',
  'attachment:R',
  'service-instance:R',
  'ui-extension:CRU',
  'webhook:CRUD',
  'webhook-policy:CRUD',
  'ci:CRU',
];
