import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { automationWebhook, defineSolution, installationChanged, isSecretField, secret, SolutionError, type Runbook } from '../../src/index.js';

const noop = () => {};

function solutionError(runbooks: Record<string, Runbook>, extra: Record<string, unknown> = {}): SolutionError {
  try {
    defineSolution({ runbooks, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(SolutionError);
    return error as SolutionError;
  }
  throw new Error('defineSolution accepted the solution');
}

describe('runbook concurrency', () => {
  it('accepts a whole number', () => {
    const solution = defineSolution({ runbooks: { sync: installationChanged({ event: 'app_instance.create', concurrency: 3 }, noop) } });
    expect(solution.runbooks.get('sync')?.concurrency).toBe(3);
  });

  it.each([0, 1.5, -1, Number.NaN])('rejects %s', (value) => {
    const error = solutionError({ sync: installationChanged({ event: 'app_instance.create', concurrency: value }, noop) });
    expect(error.message).toBe(`runbook "sync": concurrency ${value} is invalid; use a whole number of 1 or more`);
  });
});

describe('removal options', () => {
  it('defaults to no retention', () => {
    expect(defineSolution({ runbooks: {} }).removal).toEqual({ retainSecretsSeconds: 0 });
  });

  it('keeps a retention time', () => {
    expect(defineSolution({ runbooks: {}, removal: { retainSecretsSeconds: 86_400 } }).removal).toEqual({ retainSecretsSeconds: 86_400 });
  });

  it.each([-1, Number.POSITIVE_INFINITY, '60'])('rejects retention %s', (value) => {
    const error = solutionError({}, { removal: { retainSecretsSeconds: value } });
    expect(error.message).toBe(`removal.retainSecretsSeconds ${String(value)} is invalid; use a number of seconds of 0 or more`);
  });
});

describe('secret marker', () => {
  it('marks wrapped and refined schemas', () => {
    expect(isSecretField(secret(z.string()))).toBe(true);
    expect(isSecretField(secret(z.string()).min(8))).toBe(true);
    expect(isSecretField(secret(z.string()).optional())).toBe(true);
    expect(isSecretField(secret(z.string()).default('x'))).toBe(true);
    expect(isSecretField(secret(z.string()).transform((value) => value.trim()))).toBe(true);
  });

  it('leaves other schemas unmarked', () => {
    const plain = z.string();
    secret(plain);
    expect(isSecretField(plain)).toBe(false);
    expect(isSecretField(z.string().optional())).toBe(false);
  });
});

describe('runbook options', () => {
  it('rejects a misspelled option with a suggestion', () => {
    expect(() =>
      defineSolution({
        runbooks: { installed: installationChanged({ event: 'app_instance.create', appRefrence: 'app' } as never, () => {}) },
      }),
    ).toThrow(
      'runbook "installed": installationChanged has no option "appRefrence"; did you mean "appReference"? Its options are event, appReference, discard, retry, concurrency',
    );
  });

  it('rejects an unknown option without a close match', () => {
    expect(() =>
      defineSolution({ runbooks: { note: automationWebhook({ appReference: 'app', colour: 'red' } as never, () => {}) } }),
    ).toThrow('runbook "note": automationWebhook has no option "colour". Its options are appReference, payload, discard, retry, concurrency');
  });
});
