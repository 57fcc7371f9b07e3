import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deprovision } from '../../src/provisioning/deprovision.js';
import { describeChange, formatProvisionResult } from '../../src/provisioning/report.js';
import { automationWebhook, defineSolution, secretsChanged } from '../../src/index.js';
import { simulatorConnectionSettings } from '../../src/dev/simulator-connection.js';
import type { WebhookView } from '../../src/sim/index.js';
import { createSigner } from '../support/harness.js';
import { APP, CONFIGURATION_URI } from './fixtures/solution.js';
import { capturingLogger, providerClient, readDraftTemplates, startSetup, type Setup } from './helpers.js';

const EVENTS = ['app_instance.secrets-update', 'app_instance.create', 'app_instance.delete'];

function summary(webhook: WebhookView) {
  return {
    name: webhook.name,
    event: webhook.event,
    uri: webhook.uri,
    disabled: webhook.disabled,
    verified: webhook.verified,
    appOfferingReferences: webhook.appOfferingReferences,
  };
}

describe('provision', () => {
  let setup: Setup;
  let url: string;

  beforeEach(async () => {
    setup = await startSetup();
    url = setup.runtime.url;
  });

  afterEach(async () => {
    await setup.close();
  });

  async function webhookOf(event: string): Promise<WebhookView> {
    const webhook = (await setup.sim.control.webhooks({})).find((candidate) => candidate.event === event);
    if (!webhook) throw new Error(`no ${event} webhook in the simulator`);
    return webhook;
  }

  it('sets up a fresh account', async () => {
    const result = await setup.provision();

    expect(result.changes.map(describeChange)).toEqual([
      '+ create provider webhook policy (es256): no provisioned policy is recorded in the database',
      `+ create webhook app_instance.secrets-update → ${url}/xurrent/secrets for ${APP}: none exists`,
      `+ create webhook app_instance.create → ${url}/xurrent/installations for ${APP}: none exists`,
      `+ create webhook app_instance.delete → ${url}/xurrent/installations for ${APP}: none exists`,
      `~ update app offering ${APP} (draft ${setup.offeringId}): ` +
        `webhookUriTemplate (none) → ${url}/xurrent/automation/${APP}?customer_account_id={account}; ` +
        `configurationUriTemplate (none) → ${CONFIGURATION_URI}`,
    ]);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.verification.status).toBe('awaited');
    if (result.verification.status !== 'awaited') return;
    expect(result.verification.pending).toEqual([]);
    expect(result.verification.verified.map((webhook) => webhook.event)).toEqual(EVENTS);

    const webhooks = await setup.sim.control.webhooks({});
    expect(webhooks.map(summary)).toEqual([
      { name: 'xurrent-app-connector: app_instance.secrets-update', event: 'app_instance.secrets-update', uri: `${url}/xurrent/secrets`, disabled: false, verified: true, appOfferingReferences: [APP] },
      { name: 'xurrent-app-connector: app_instance.create', event: 'app_instance.create', uri: `${url}/xurrent/installations`, disabled: false, verified: true, appOfferingReferences: [APP] },
      { name: 'xurrent-app-connector: app_instance.delete', event: 'app_instance.delete', uri: `${url}/xurrent/installations`, disabled: false, verified: true, appOfferingReferences: [APP] },
    ]);
    const policyIds = [...new Set(webhooks.map((webhook) => webhook.webhookPolicyId))];
    expect(policyIds).toHaveLength(1);
    const policy = await setup.sim.control.webhookPolicy({ id: policyIds[0]! });
    expect(policy.jwtAlg).toBe('es256');

    const stored = await setup.runtime.app.runtime.store.getProviderPolicy();
    expect(stored).toMatchObject({
      algorithm: 'ES256',
      publicKeyPem: policy.publicKeyPem,
      issuer: setup.sim.accountUrl('provider'),
      audience: null,
      source: 'provisioned',
    });
    expect(await readDraftTemplates(setup.sim, APP)).toEqual({
      webhookUriTemplate: `${url}/xurrent/automation/${APP}?customer_account_id={account}`,
      configurationUriTemplate: CONFIGURATION_URI,
    });
  });

  it('changes nothing on a second run', async () => {
    await setup.provision();
    const second = await setup.provision();

    expect(second.changes).toEqual([]);
    expect(second.verification).toEqual({ status: 'none' });
    expect(formatProvisionResult(second)).toEqual([
      `Provider account provider, receiver ${url}`,
      'No changes: the provider account matches the solution.',
    ]);
    expect(await setup.sim.control.webhooks({})).toHaveLength(3);
  });

  it('changes nothing in a dry run', async () => {
    const result = await setup.provision({ dryRun: true });

    expect(result.dryRun).toBe(true);
    expect(result.changes.map((change) => change.kind)).toEqual([
      'createPolicy',
      'createWebhook',
      'createWebhook',
      'createWebhook',
      'updateOffering',
    ]);
    expect(result.verification).toEqual({ status: 'none' });
    expect(await setup.sim.control.webhooks({})).toEqual([]);
    expect(await setup.runtime.app.runtime.store.getProviderPolicy()).toBeUndefined();
    expect(await readDraftTemplates(setup.sim, APP)).toEqual({ webhookUriTemplate: null, configurationUriTemplate: null });
  });

  it('lists drift in a dry run', async () => {
    await setup.provision();
    const secrets = await webhookOf('app_instance.secrets-update');
    const create = await webhookOf('app_instance.create');
    const client = providerClient(setup.sim);
    const update = 'mutation ($input: WebhookUpdateInput!) { webhookUpdate(input: $input) { errors { message } webhook { id } } }';
    await client.mutate('webhookUpdate', update, { input: { id: secrets.nodeId, uri: 'http://127.0.0.1:1/elsewhere' } });
    await client.mutate('webhookUpdate', update, { input: { id: create.nodeId, appOfferingReferences: [] } });

    const dryRun = await setup.provision({ dryRun: true });

    expect(dryRun.changes.map(describeChange)).toEqual([
      `~ update webhook app_instance.secrets-update ${secrets.nodeId}: uri http://127.0.0.1:1/elsewhere → ${url}/xurrent/secrets`,
      `~ update webhook app_instance.create ${create.nodeId}: appOfferingReferences (every offering) → ${APP}`,
    ]);
    expect((await webhookOf('app_instance.secrets-update')).uri).toBe('http://127.0.0.1:1/elsewhere');

    const fixed = await setup.provision();
    expect(fixed.changes).toHaveLength(2);
    expect(fixed.verification).toMatchObject({ status: 'awaited', pending: [], verified: [{ id: secrets.nodeId, event: 'app_instance.secrets-update' }] });
    expect(summary(await webhookOf('app_instance.secrets-update'))).toMatchObject({ uri: `${url}/xurrent/secrets`, verified: true });
    expect((await webhookOf('app_instance.create')).appOfferingReferences).toEqual([APP]);
  });

  it('waits out a rate limit mid-way', async () => {
    // Fresh provisioning sends 7 GraphQL requests, so the 6th (a webhookCreate) gets a 429.
    await setup.sim.control.setRateLimits({ burstRequests: 5 });
    const { logger, entries } = capturingLogger();

    const result = await setup.provision({ logger });

    const waits = entries.filter((entry) => entry.msg === 'Xurrent rate limit reached or API unavailable; waiting before retrying');
    expect(waits.map((entry) => [entry.operation, entry.status])).toEqual([['webhookCreate', 429]]);
    expect(result.changes).toHaveLength(5);
    expect(result.verification).toMatchObject({ status: 'awaited', pending: [] });
    expect((await setup.sim.control.webhooks({})).map((webhook) => webhook.event)).toEqual(EVENTS);
  });

  it('recreates a deleted policy', async () => {
    await setup.provision();
    const oldKey = (await setup.runtime.app.runtime.store.getProviderPolicy())!.publicKeyPem;
    const oldPolicyId = (await webhookOf('app_instance.create')).webhookPolicyId!;
    const oldPolicy = await setup.sim.control.webhookPolicy({ id: oldPolicyId });
    await providerClient(setup.sim).mutate(
      'webhookPolicyDelete',
      'mutation ($input: WebhookPolicyDeleteMutationInput!) { webhookPolicyDelete(input: $input) { errors { message } success } }',
      { input: { id: oldPolicy.nodeId } },
    );

    const result = await setup.provision();

    const webhooks = await setup.sim.control.webhooks({});
    expect(result.changes.map(describeChange)).toEqual([
      `+ create provider webhook policy (es256): policy ${oldPolicy.nodeId} no longer exists in Xurrent`,
      ...webhooks.map((webhook) => `~ update webhook ${webhook.event} ${webhook.nodeId}: webhookPolicy (none) → the new policy`),
    ]);
    const newPolicyId = webhooks[0]!.webhookPolicyId!;
    expect(newPolicyId).not.toBe(oldPolicyId);
    expect(webhooks.map((webhook) => webhook.webhookPolicyId)).toEqual([newPolicyId, newPolicyId, newPolicyId]);
    const stored = await setup.runtime.app.runtime.store.getProviderPolicy();
    expect(stored!.publicKeyPem).not.toBe(oldKey);
    expect(stored!.publicKeyPem).toBe((await setup.sim.control.webhookPolicy({ id: newPolicyId })).publicKeyPem);

    // Deliveries signed with the new policy pass the receiver.
    await setup.sim.control.createCustomerAccount({ id: 'wdc' });
    const install = await setup.sim.control.install({ customer: 'wdc', offeringReference: APP, order: ['create'] });
    const delivery = await setup.sim.control.waitForDelivery({ callId: install.callIds[0]!, ok: true });
    expect(delivery.event).toBe('app_instance.create');
  });

  it('replaces a policy whose key is lost', async () => {
    await setup.provision();
    const oldPolicy = await setup.sim.control.webhookPolicy({ id: (await webhookOf('app_instance.create')).webhookPolicyId! });
    const manual = await createSigner('ES256', setup.sim.accountUrl('provider'));
    await setup.runtime.app.runtime.store.setProviderPolicy({
      algorithm: 'ES256',
      publicKeyPem: manual.publicKeyPem,
      issuer: manual.issuer,
      audience: null,
      source: 'manual',
      updatedAt: new Date(),
    });

    const result = await setup.provision();

    const webhooks = await setup.sim.control.webhooks({});
    expect(result.changes.map(describeChange)).toEqual([
      `+ create provider webhook policy (es256): the public key of policy ${oldPolicy.nodeId} is not stored in the database, ` +
        "and Xurrent returns a policy's key only when it is created",
      ...webhooks.map((webhook) => `~ update webhook ${webhook.event} ${webhook.nodeId}: webhookPolicy ${oldPolicy.nodeId} → the new policy`),
      `- delete provider webhook policy ${oldPolicy.nodeId}: replaced by the new policy`,
    ]);
    expect(result.warnings).toEqual(['the provider policy set with `xac policy set` will be replaced by the provisioned one']);
    await expect(setup.sim.control.webhookPolicy({ id: oldPolicy.id })).rejects.toThrow(`Webhook policy ${oldPolicy.id} not found.`);
    const stored = await setup.runtime.app.runtime.store.getProviderPolicy();
    expect(stored!.source).toBe('provisioned');
    expect(stored!.publicKeyPem).toBe((await setup.sim.control.webhookPolicy({ id: webhooks[0]!.webhookPolicyId! })).publicKeyPem);
  });

  it('re-enables a disabled webhook', async () => {
    await setup.provision();
    const create = await webhookOf('app_instance.create');
    await providerClient(setup.sim).mutate(
      'webhookUpdate',
      'mutation ($input: WebhookUpdateInput!) { webhookUpdate(input: $input) { errors { message } webhook { id } } }',
      { input: { id: create.nodeId, disabled: true } },
    );

    const result = await setup.provision();

    expect(result.changes.map(describeChange)).toEqual([`~ update webhook app_instance.create ${create.nodeId}: disabled true → false`]);
    expect(result.verification).toEqual({ status: 'none' });
    expect(summary(await webhookOf('app_instance.create'))).toMatchObject({ disabled: false, verified: true });
  });

  it('recreates a deleted webhook', async () => {
    await setup.provision();
    const deleted = await webhookOf('app_instance.create');
    await providerClient(setup.sim).mutate(
      'webhookDelete',
      'mutation ($input: WebhookDeleteMutationInput!) { webhookDelete(input: $input) { errors { message } success } }',
      { input: { id: deleted.nodeId } },
    );

    const result = await setup.provision();

    expect(result.changes.map(describeChange)).toEqual([
      `+ create webhook app_instance.create → ${url}/xurrent/installations for ${APP}: none exists`,
    ]);
    expect(result.verification).toMatchObject({ status: 'awaited', pending: [] });
    expect(summary(await webhookOf('app_instance.create'))).toMatchObject({ verified: true, disabled: false });
    expect((await setup.provision()).changes).toEqual([]);
  });

  it('re-enables a disabled policy', async () => {
    await setup.provision();
    const policy = await setup.sim.control.webhookPolicy({ id: (await webhookOf('app_instance.create')).webhookPolicyId! });
    await providerClient(setup.sim).mutate(
      'webhookPolicyUpdate',
      'mutation ($input: WebhookPolicyUpdateInput!) { webhookPolicyUpdate(input: $input) { errors { message } webhookPolicy { id } } }',
      { input: { id: policy.nodeId, disabled: true } },
    );

    const result = await setup.provision();

    expect(result.changes.map(describeChange)).toEqual([`~ enable provider webhook policy ${policy.nodeId}: it is disabled in Xurrent`]);
    expect((await setup.provision()).changes).toEqual([]);
  });

  it('gets a new token when one expires mid-way', async () => {
    // The first GraphQL request waits 2.5 s, so its 2-second token expires before the simulator checks it.
    await setup.sim.control.setTokenLifetime({ seconds: 2 });
    await setup.sim.control.addFault({ target: 'graphql', fault: { kind: 'latency', ms: 2500 }, times: 1 });
    const { logger, entries } = capturingLogger();

    const result = await setup.provision({ logger });

    const retries = entries.filter((entry) => entry.msg === 'Xurrent rejected the access token with HTTP 401; retrying once with a new token');
    expect(retries.map((entry) => entry.operation)).toEqual(['ProvisioningWebhooks']);
    expect(result.changes).toHaveLength(5);
    expect(result.verification).toMatchObject({ status: 'awaited', pending: [] });
    expect(await setup.sim.control.tokenRequestCount({ clientId: setup.sim.providerApplication.clientId })).toBeGreaterThanOrEqual(2);
  });

  it('recreates a never-verified webhook', async () => {
    // Left by an earlier run while the receiver was down: named as ours, and without a policy the receiver rejects its webhook.verify.
    const stale = await setup.sim.control.createWebhook({
      event: 'app_instance.create',
      uri: `${url}/xurrent/installations`,
      name: 'xurrent-app-connector: app_instance.create',
    });
    await setup.sim.control.waitForDelivery({ webhookId: stale.id, event: 'webhook.verify', ok: false });

    const result = await setup.provision();

    const recreate = result.changes.map(describeChange).filter((line) => line.includes('app_instance.create'));
    expect(recreate).toEqual([
      `+ recreate (delete ${stale.nodeId}) webhook app_instance.create → ${url}/xurrent/installations for ${APP}: ` +
        `webhook ${stale.nodeId} was never verified by this runtime, so Xurrent sends it no events`,
    ]);
    const webhooks = await setup.sim.control.webhooks({});
    expect(webhooks.map((webhook) => webhook.id)).not.toContain(stale.id);
    expect(webhooks.map(summary).map((webhook) => [webhook.event, webhook.verified])).toEqual(EVENTS.map((event) => [event, true]));
  });

  it('deletes duplicates of a webhook', async () => {
    await setup.provision();
    const before = await setup.sim.control.webhooks({});
    const kept = await webhookOf('app_instance.delete');
    const duplicate = await setup.sim.control.createWebhook({
      event: 'app_instance.delete',
      uri: `${url}/xurrent/installations`,
      name: 'xurrent-app-connector: app_instance.delete',
    });

    const result = await setup.provision();

    expect(result.changes.map(describeChange)).toEqual([
      `- delete webhook app_instance.delete ${duplicate.nodeId}: duplicate of ${kept.nodeId}`,
    ]);
    expect((await setup.sim.control.webhooks({})).map((webhook) => webhook.id)).toEqual(before.map((webhook) => webhook.id));
  });

  it('deletes webhooks no runbook needs', async () => {
    await setup.provision();
    const removed = await webhookOf('app_instance.create');
    const smaller = defineSolution({
      runbooks: {
        secrets: secretsChanged({ appReferences: [APP] }),
        note: automationWebhook({ appReference: APP }, () => undefined),
      },
      offerings: { [APP]: { configurationUriTemplate: CONFIGURATION_URI } },
    });

    const result = await setup.provision({ solution: smaller });

    expect(result.changes.map(describeChange)).toEqual([
      `- delete webhook app_instance.create ${removed.nodeId}: no runbook of the solution needs app_instance.create`,
    ]);
    // The delete webhook stays without a runbook for it: the receiver purges secrets on removal.
    expect((await setup.sim.control.webhooks({})).map((webhook) => webhook.event)).toEqual(['app_instance.secrets-update', 'app_instance.delete']);
  });

  it('reports a missing offering', async () => {
    const withMissing = defineSolution({
      runbooks: {
        note: automationWebhook({ appReference: APP }, () => undefined),
        other: automationWebhook({ appReference: 'missing-app' }, () => undefined),
      },
    });

    const result = await setup.provision({ solution: withMissing });

    expect(result.problems).toEqual([
      'app offering missing-app was not found in provider account provider; create it in Xurrent with reference missing-app, then run xac provision again',
    ]);
    expect(result.changes.map((change) => change.kind)).toEqual(['createPolicy', 'createWebhook', 'createWebhook', 'updateOffering']);
    expect(await readDraftTemplates(setup.sim, APP)).toEqual({
      webhookUriTemplate: `${url}/xurrent/automation/${APP}?customer_account_id={account}`,
      configurationUriTemplate: null,
    });
  });

  it('warns about a stale published version', async () => {
    await setup.provision();
    await providerClient(setup.sim).mutate(
      'appOfferingPublish',
      'mutation ($input: AppOfferingPublishMutationInput!) { appOfferingPublish(input: $input) { errors { message } appOffering { id } } }',
      { input: { id: setup.offeringId } },
    );
    await providerClient(setup.sim).mutate(
      'appOfferingUpdate',
      'mutation ($input: AppOfferingUpdateInput!) { appOfferingUpdate(input: $input) { errors { message } appOffering { id } } }',
      { input: { id: setup.offeringId, configurationUriTemplate: 'https://old.example.com/{account}' } },
    );

    const drifted = await setup.provision();
    expect(drifted.changes.map((change) => change.kind)).toEqual(['updateOffering']);
    expect(drifted.warnings).toEqual([]);

    const republished = defineSolution({
      runbooks: { note: automationWebhook({ appReference: APP }, () => undefined) },
      offerings: { [APP]: { configurationUriTemplate: 'https://new.example.com/{account}' } },
    });
    const stale = await setup.provision({ solution: republished, dryRun: true });
    expect(stale.warnings).toEqual([
      `app offering ${APP}: the latest published version has another configurationUriTemplate; ` +
        'publish the draft in Xurrent so that new installations use the provisioned one',
    ]);
  });

  it('deletes what it created on deprovision', async () => {
    await setup.provision();
    const webhooks = await setup.sim.control.webhooks({});
    const policy = await setup.sim.control.webhookPolicy({ id: webhooks[0]!.webhookPolicyId! });
    const options = {
      settings: simulatorConnectionSettings(setup.sim, url),
      store: setup.runtime.app.runtime.store,
      secretStore: setup.runtime.app.runtime.secretStore,
    };

    const result = await deprovision(options);

    expect(result.changes.map(describeChange)).toEqual([
      ...webhooks.map((webhook) => `- delete webhook ${webhook.event} ${webhook.nodeId}: created by xac provision`),
      `- delete provider webhook policy ${policy.nodeId}: created by xac provision`,
    ]);
    expect(await setup.sim.control.webhooks({})).toEqual([]);
    await expect(setup.sim.control.webhookPolicy({ id: policy.id })).rejects.toThrow('not found');
    expect((await readDraftTemplates(setup.sim, APP))?.webhookUriTemplate).toBe(`${url}/xurrent/automation/${APP}?customer_account_id={account}`);
    expect((await deprovision(options)).changes).toEqual([]);

    const again = await setup.provision();
    expect(again.changes.map((change) => change.kind)).toEqual(['createPolicy', 'createWebhook', 'createWebhook', 'createWebhook']);
  });
});
