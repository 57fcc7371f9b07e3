import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/provisioning/desired.js';
import { automationWebhook, defineSolution, installationChanged, jsonEndpoint, secretsChanged, SolutionError } from '../../src/index.js';

const URL = 'https://xac.example.com';
const noop = () => undefined;

describe('desiredState', () => {
  it('limits webhooks to the runbooks\' apps', () => {
    const solution = defineSolution({
      runbooks: {
        created: installationChanged({ event: 'app_instance.create', appReference: 'b-app' }, noop),
        createdToo: installationChanged({ event: 'app_instance.create', appReference: 'a-app' }, noop),
        anyUpdate: installationChanged({ event: 'app_instance.update' }, noop),
        note: automationWebhook({ appReference: 'c-app' }, noop),
      },
    });

    const desired = desiredState(solution, URL);

    expect(desired.webhooks).toEqual([
      {
        event: 'app_instance.secrets-update',
        name: 'xurrent-app-connector: app_instance.secrets-update',
        uri: `${URL}/xurrent/secrets`,
        appOfferingReferences: ['a-app', 'b-app', 'c-app'],
      },
      {
        event: 'app_instance.create',
        name: 'xurrent-app-connector: app_instance.create',
        uri: `${URL}/xurrent/installations`,
        appOfferingReferences: ['a-app', 'b-app'],
      },
      {
        event: 'app_instance.update',
        name: 'xurrent-app-connector: app_instance.update',
        uri: `${URL}/xurrent/installations`,
        appOfferingReferences: [],
      },
      {
        event: 'app_instance.delete',
        name: 'xurrent-app-connector: app_instance.delete',
        uri: `${URL}/xurrent/installations`,
        appOfferingReferences: ['a-app', 'b-app', 'c-app'],
      },
    ]);
    expect(desired.offerings).toEqual([
      {
        reference: 'c-app',
        webhookUriTemplate: `${URL}/xurrent/automation/c-app?customer_account_id={account}`,
        configurationUriTemplate: undefined,
      },
    ]);
  });

  it('limits secrets to the secretsChanged apps', () => {
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged({ appReferences: ['only-this'] }),
        note: automationWebhook({ appReference: 'other' }, noop),
      },
    });

    expect(desiredState(solution, URL).webhooks[0]!.appOfferingReferences).toEqual(['only-this']);
  });

  it('sets a configuration URI alone', () => {
    const solution = defineSolution({
      runbooks: { installed: installationChanged({ event: 'app_instance.create', appReference: 'app' }, noop) },
      offerings: { app: { configurationUriTemplate: 'https://setup.example.com/{account}' } },
    });

    expect(desiredState(solution, URL).offerings).toEqual([
      { reference: 'app', webhookUriTemplate: undefined, configurationUriTemplate: 'https://setup.example.com/{account}' },
    ]);
  });

  it('needs secrets and delete webhooks for endpoints', () => {
    const solution = defineSolution({
      runbooks: { status: jsonEndpoint({ path: 'status', auth: { type: 'apiKey', header: 'x-api-key', keys: ['key'] } }, noop) },
    });

    const desired = desiredState(solution, URL);

    expect(desired.webhooks.map((webhook) => [webhook.event, webhook.appOfferingReferences])).toEqual([
      ['app_instance.secrets-update', []],
      ['app_instance.delete', []],
    ]);
    expect(desired.offerings).toEqual([]);
  });
});

describe('defineSolution offerings', () => {
  function solutionError(offerings: Record<string, unknown>): string {
    try {
      defineSolution({
        runbooks: { note: automationWebhook({ appReference: 'app' }, noop) },
        offerings: offerings as Record<string, { configurationUriTemplate?: string }>,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(SolutionError);
      return (error as Error).message;
    }
    throw new Error('defineSolution accepted the offerings');
  }

  it('rejects an unknown reference', () => {
    expect(solutionError({ typo: {} })).toBe('offerings.typo names an app reference that no runbook uses; use one of: app');
  });

  it('rejects a relative template', () => {
    expect(solutionError({ app: { configurationUriTemplate: '/setup/{account}' } })).toBe(
      'offerings.app.configurationUriTemplate "/setup/{account}" is invalid; use an absolute http(s) URL, with {account} for the customer account id',
    );
  });
});
