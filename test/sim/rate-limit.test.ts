import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { graphql, manualClock, providerToken } from './helpers.js';

const clock = manualClock();
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ clock, tokenLifetimeSeconds: 86_400, rateLimits: { burstRequests: 3, hourlyRequests: 5, hourlyCost: 1000 } });
});

afterAll(async () => {
  await sim.close();
});

describe('rate limits', () => {
  it('sends the limit headers', async () => {
    const token = await providerToken(sim);

    const response = await graphql(sim, token, '{ rateLimit { cost limit remaining } }');

    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBe('5');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil((clock.now() + 3600_000) / 1000)));
    expect(response.headers.get('x-costlimit-limit')).toBe('1000');
    expect(response.headers.get('x-costlimit-cost')).toBe('1');
    expect(response.headers.get('x-costlimit-remaining')).toBe('999');
    expect(response.headers.get('x-request-id')).toMatch(/^Root[0-9a-f-]{36}$/);
    expect(response.body.data?.rateLimit).toEqual({ cost: 1, limit: 1000, remaining: 999 });
  });

  it('answers 429 over the burst limit', async () => {
    const token = await providerToken(sim);
    for (let i = 0; i < 3; i++) await graphql(sim, token, '{ me { name } }');

    const response = await graphql(sim, token, '{ me { name } }');

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toBe('Rate limit exceeded. Wait 2 seconds.');
  });

  it('answers 429 over the hourly limit until the hour resets', async () => {
    const token = await providerToken(sim);
    for (let i = 0; i < 5; i++) {
      await graphql(sim, token, '{ me { name } }');
      clock.advance(1000);
    }

    const limited = await graphql(sim, token, '{ me { name } }');
    clock.advance(3600_000);
    const afterReset = await graphql(sim, token, '{ me { name } }');

    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(3595);
    expect(afterReset.status).toBe(200);
  });

  it('answers 429 over the cost limit', async () => {
    await sim.control.setRateLimits({ hourlyCost: 2 });
    const token = await providerToken(sim);
    const query = '{ webhooks(first: 1) { totalCount } webhookPolicies(first: 1) { totalCount } uiExtensions(first: 1) { totalCount } }';

    const response = await graphql(sim, token, query);
    await sim.control.setRateLimits({ hourlyCost: 1000 });

    expect(response.status).toBe(429);
    expect(response.headers.get('x-costlimit-cost')).toBe('3');
  });

  it('counts limits per token', async () => {
    const first = await providerToken(sim);
    const second = await providerToken(sim);
    for (let i = 0; i < 3; i++) await graphql(sim, first, '{ me { name } }');

    const response = await graphql(sim, second, '{ me { name } }');

    expect(response.status).toBe(200);
  });
});
