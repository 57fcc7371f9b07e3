import { describe, expect, it } from 'vitest';
import {
  automationWebhook,
  defineSolution,
  installationChanged,
  jsonEndpoint,
  secretsChanged,
  SolutionError,
  type Runbook,
} from '../../src/index.js';

const noop = () => {};

/** Runs defineSolution and returns the SolutionError it throws. */
function solutionError(runbooks: Record<string, unknown>, extra: Record<string, unknown> = {}): SolutionError {
  try {
    defineSolution({ runbooks: runbooks as Record<string, Runbook>, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(SolutionError);
    return error as SolutionError;
  }
  throw new Error('defineSolution accepted the solution');
}

function endpoint(auth: unknown, path = 'orders'): unknown {
  return { kind: 'jsonEndpoint', path, auth, handler: noop };
}

describe('defineSolution', () => {
  it('rejects options without runbooks', () => {
    const error = solutionError({}, { runbooks: undefined });
    expect(error.message).toBe('defineSolution expects { runbooks: { name: runbook, ... } }');
    expect(error.code).toBe('XAC_SOLUTION_INVALID');
  });

  it('rejects two secretsChanged runbooks', () => {
    const error = solutionError({ first: secretsChanged(), second: secretsChanged() });
    expect(error.message).toBe('runbooks "first" and "second" are both secretsChanged; a solution has at most one');
  });

  it('rejects a duplicate endpoint path', () => {
    const error = solutionError({
      orders: jsonEndpoint({ path: 'shop/orders', auth: 'none' }, noop),
      refunds: jsonEndpoint({ path: 'shop/orders', auth: 'none' }, noop),
    });
    expect(error.message).toBe('runbooks "orders" and "refunds" both use the endpoint path "shop/orders"');
  });

  it('rejects bad runbook names', () => {
    const fix = 'use a letter followed by up to 63 letters, digits, "_" or "-"';
    for (const name of ['1st', 'has space', '-dash', `a${'b'.repeat(64)}`]) {
      const error = solutionError({ [name]: secretsChanged() });
      expect(error.message).toBe(`runbook name "${name}" is invalid; ${fix}`);
    }
  });

  it('accepts a 64-character runbook name', () => {
    const name = `a${'b'.repeat(63)}`;
    expect([...defineSolution({ runbooks: { [name]: secretsChanged() } }).runbooks.keys()]).toEqual([name]);
  });

  it('rejects a value that is not a runbook', () => {
    const fix = 'create it with secretsChanged, installationChanged, automationWebhook or jsonEndpoint';
    expect(solutionError({ plain: noop }).message).toBe(`runbook "plain" is not a runbook; ${fix}`);
    expect(solutionError({ empty: null }).message).toBe(`runbook "empty" is not a runbook; ${fix}`);
    expect(solutionError({ other: { kind: 'cron', handler: noop } }).message).toBe(`runbook "other" is not a runbook; ${fix}`);
  });

  it('rejects a missing handler', () => {
    const install = { kind: 'installationChanged', event: 'app_instance.create' };
    expect(solutionError({ install }).message).toBe('runbook "install" has no handler function');
    const hook = { kind: 'jsonEndpoint', path: 'orders', auth: 'none', handler: 'run' };
    expect(solutionError({ hook }).message).toBe('runbook "hook" has no handler function');
  });

  it('allows secretsChanged without a handler', () => {
    const solution = defineSolution({ runbooks: { secrets: secretsChanged() } });
    expect(solution.runbooks.get('secrets')?.handler).toBeUndefined();
  });

  it('rejects a discard that is not a function', () => {
    const error = solutionError({ install: { kind: 'installationChanged', event: 'app_instance.create', handler: noop, discard: true } });
    expect(error.message).toBe('runbook "install": discard must be a function of the trigger output');
  });

  it('rejects a bad installation event', () => {
    const error = solutionError({ install: { kind: 'installationChanged', event: 'app_instance.created', handler: noop } });
    expect(error.message).toBe(
      'runbook "install": event "app_instance.created" is invalid; use one of app_instance.create, app_instance.update, app_instance.delete',
    );
  });

  it('rejects automationWebhook without appReference', () => {
    const message = 'runbook "note": automationWebhook needs the appReference of its app offering';
    expect(solutionError({ note: { kind: 'automationWebhook', handler: noop } }).message).toBe(message);
    expect(solutionError({ note: automationWebhook({ appReference: '' }, noop) }).message).toBe(message);
  });

  it('rejects bad endpoint paths', () => {
    for (const path of ['/orders', '', 'orders?x=1', 'a'.repeat(129), undefined]) {
      const error = solutionError({ hook: { kind: 'jsonEndpoint', path, auth: 'none', handler: noop } });
      expect(error.message).toBe(
        `runbook "hook": endpoint path "${String(path)}" is invalid; use letters, digits, "_", "-" and "/" without a leading "/"`,
      );
    }
  });

  it('rejects jsonEndpoint without auth', () => {
    const fix = `set auth to { type: 'apiKey' | 'basic' | 'hmac' | 'custom', ... } or write auth: 'none' for an open endpoint`;
    for (const auth of [undefined, null, 'open', {}]) {
      expect(solutionError({ hook: endpoint(auth) }).message).toBe(`runbook "hook": jsonEndpoint needs auth; ${fix}`);
    }
  });

  it('rejects an unknown auth type', () => {
    const fix = `set auth to { type: 'apiKey' | 'basic' | 'hmac' | 'custom', ... } or write auth: 'none' for an open endpoint`;
    expect(solutionError({ hook: endpoint({ type: 'bearer' }) }).message).toBe(`runbook "hook": auth type "bearer" is unknown; ${fix}`);
  });

  it('rejects malformed apiKey auth', () => {
    const message = 'runbook "hook": apiKey auth needs a header name and at least one non-empty key';
    const cases = [
      { type: 'apiKey', keys: ['k1'] },
      { type: 'apiKey', header: '', keys: ['k1'] },
      { type: 'apiKey', header: 'x-api-key' },
      { type: 'apiKey', header: 'x-api-key', keys: [] },
      { type: 'apiKey', header: 'x-api-key', keys: ['k1', ''] },
      { type: 'apiKey', header: 'x-api-key', keys: [42] },
    ];
    for (const auth of cases) {
      expect(solutionError({ hook: endpoint(auth) }).message, JSON.stringify(auth)).toBe(message);
    }
  });

  it('rejects malformed basic auth', () => {
    const message = 'runbook "hook": basic auth needs a username and a non-empty password';
    const cases = [
      { type: 'basic', password: 'pw' },
      { type: 'basic', username: 'shop' },
      { type: 'basic', username: 'shop', password: '' },
    ];
    for (const auth of cases) {
      expect(solutionError({ hook: endpoint(auth) }).message, JSON.stringify(auth)).toBe(message);
    }
  });

  it('rejects malformed hmac auth', () => {
    const message = 'runbook "hook": hmac auth needs at least one non-empty signing secret';
    const cases = [
      { type: 'hmac' },
      { type: 'hmac', secrets: 'whsec_abc' },
      { type: 'hmac', secrets: [] },
      { type: 'hmac', secrets: ['whsec_abc', ''] },
    ];
    for (const auth of cases) {
      expect(solutionError({ hook: endpoint(auth) }).message, JSON.stringify(auth)).toBe(message);
    }
  });

  it('rejects a bad hmac tolerance', () => {
    const message = 'runbook "hook": hmac toleranceSeconds is invalid; use a number of seconds greater than 0';
    for (const toleranceSeconds of [0, -5, '300']) {
      expect(solutionError({ hook: endpoint({ type: 'hmac', secrets: ['s'], toleranceSeconds }) }).message).toBe(message);
    }
  });

  it('rejects custom auth without verify', () => {
    const message = 'runbook "hook": custom auth needs a verify function';
    expect(solutionError({ hook: endpoint({ type: 'custom' }) }).message).toBe(message);
    expect(solutionError({ hook: endpoint({ type: 'custom', verify: true }) }).message).toBe(message);
  });

  it('accepts every auth type', () => {
    const solution = defineSolution({
      runbooks: {
        open: jsonEndpoint({ path: 'open', auth: 'none' }, noop),
        key: jsonEndpoint({ path: 'key', auth: { type: 'apiKey', header: 'X-Api-Key', keys: ['k1'] } }, noop),
        basic: jsonEndpoint({ path: 'basic', auth: { type: 'basic', username: '', password: 'pw' } }, noop),
        hmac: jsonEndpoint({ path: 'hmac', auth: { type: 'hmac', secrets: ['whsec_c2VjcmV0'], toleranceSeconds: 60 } }, noop),
        custom: jsonEndpoint({ path: 'nested/custom', auth: { type: 'custom', verify: () => true } }, noop),
      },
    });
    expect([...solution.runbooks.keys()]).toEqual(['open', 'key', 'basic', 'hmac', 'custom']);
  });

  it('rejects bad concurrency', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      const error = solutionError({}, { concurrency });
      expect(error.message).toBe(`concurrency ${String(concurrency)} is invalid; use a whole number of 1 or more`);
    }
  });

  it('rejects bad retry.maxAttempts', () => {
    for (const maxAttempts of [0, -2, 2.5]) {
      const error = solutionError({ install: installationChanged({ event: 'app_instance.create', retry: { maxAttempts } }, noop) });
      expect(error.message).toBe(`runbook "install": retry.maxAttempts ${maxAttempts} is invalid; use a whole number of 1 or more`);
    }
  });

  it('rejects bad secretsWait values', () => {
    const intervalError = solutionError({}, { secretsWait: { intervalSeconds: -1 } });
    expect(intervalError.message).toBe('secretsWait.intervalSeconds -1 is invalid; use a number of seconds of 0 or more');
    const attemptsError = solutionError({}, { secretsWait: { attempts: 1.5 } });
    expect(attemptsError.message).toBe('secretsWait.attempts 1.5 is invalid; use a whole number of 0 or more');
  });

  it('applies defaults', () => {
    const solution = defineSolution({ runbooks: {} });
    expect(solution.concurrency).toBe(5);
    expect(solution.secretsWait).toEqual({ intervalSeconds: 30, attempts: 10 });
    expect(solution.appReferences).toEqual([]);
  });

  it('collects appReferences without duplicates', () => {
    const solution = defineSolution({
      concurrency: 2,
      secretsWait: { intervalSeconds: 5 },
      runbooks: {
        secrets: secretsChanged({ appReferences: ['notes', 'tickets'] }),
        install: installationChanged({ event: 'app_instance.create', appReference: 'billing' }, noop),
        anyUpdate: installationChanged({ event: 'app_instance.update' }, noop),
        note: automationWebhook({ appReference: 'notes' }, noop),
        alert: automationWebhook({ appReference: 'alerts' }, noop),
        hook: jsonEndpoint({ path: 'orders', auth: 'none' }, noop),
      },
    });
    expect(solution.appReferences).toEqual(['notes', 'tickets', 'billing', 'alerts']);
    expect(solution.concurrency).toBe(2);
    expect(solution.secretsWait).toEqual({ intervalSeconds: 5, attempts: 10 });
  });
});
