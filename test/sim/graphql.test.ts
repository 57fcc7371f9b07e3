import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { clientCredentialsToken, graphql, providerToken, startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

let sim: RunningSimulator;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ retrySpeedFactor: 0.0001, rateLimits: { burstRequests: 1000 } });
  token = await providerToken(sim);
  receiver = await startReceiver();
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const APP_CONFIG_QUERY = `query($appReference: String!, $customerAccountId: String!) {
  appInstances(first: 1, filter: {
    appOfferingReference: { values: [$appReference] },
    customerAccount: { values: [$customerAccountId] }
  }) {
    nodes { id customFields { id value } disabled enabledByCustomer suspended suspensionComment }
  }
}`;

describe('authentication', () => {
  it('rejects a missing token with 401', async () => {
    const response = await graphql(sim, 'nope', '{ me { name } }');

    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.message).toBe('Unauthorized');
  });

  it('rejects an unknown account header with 400', async () => {
    const response = await graphql(sim, token, '{ me { name } }', undefined, 'unknown');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: 'Invalid x-xurrent-account header' });
  });

  it('rejects a token of another account', async () => {
    await sim.control.createCustomerAccount({ id: 'other' });

    const response = await graphql(sim, token, '{ me { name } }', undefined, 'other');

    expect(response.status).toBe(401);
  });

  it('accepts the legacy X-4me-Account header', async () => {
    const response = await fetch(sim.graphqlUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'X-4me-Account': 'provider' },
      body: JSON.stringify({ query: '{ account { id url } }' }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { account: { id: 'provider', url: sim.accountUrl('provider') } } });
  });
});

describe('queries', () => {
  it('answers the app config query', async () => {
    await sim.control.createOffering({ reference: 'weu_it_phone', name: 'IT Phone' });
    await sim.control.install({
      customer: 'wdc',
      offeringReference: 'weu_it_phone',
      customFields: { phone_nr: '+99 555 222 421', bounces: 42 },
    });

    const response = await graphql(sim, token, APP_CONFIG_QUERY, { appReference: 'weu_it_phone', customerAccountId: 'wdc' });
    const nodes = (response.body.data?.appInstances as { nodes: Array<Record<string, unknown>> }).nodes;

    expect(response.status).toBe(200);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toEqual({
      id: expect.any(String),
      customFields: [
        { id: 'phone_nr', value: '+99 555 222 421' },
        { id: 'bounces', value: 42 },
      ],
      disabled: false,
      enabledByCustomer: true,
      suspended: false,
      suspensionComment: null,
    });
  });

  it('encodes nodeIDs as unpadded base64url', async () => {
    const response = await graphql(sim, token, APP_CONFIG_QUERY, { appReference: 'weu_it_phone', customerAccountId: 'wdc' });
    const id = (response.body.data?.appInstances as { nodes: Array<{ id: string }> }).nodes[0]?.id ?? '';

    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(id, 'base64url').toString()).toMatch(/^127\.0\.0\.1:\d+\/AppInstance\/\d+$/);
  });

  it('finds records by node id', async () => {
    const list = await graphql(sim, token, APP_CONFIG_QUERY, { appReference: 'weu_it_phone', customerAccountId: 'wdc' });
    const id = (list.body.data?.appInstances as { nodes: Array<{ id: string }> }).nodes[0]?.id;

    const response = await graphql(
      sim,
      token,
      'query($id: ID!) { node(id: $id) { ... on AppInstance { appOffering { reference } customerAccount { id } enabledByCustomer createdAt } } }',
      { id },
    );

    expect(response.body.data?.node).toEqual({
      appOffering: { reference: 'weu_it_phone' },
      customerAccount: { id: 'wdc' },
      enabledByCustomer: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  it('reports syntax errors with locations', async () => {
    const response = await graphql(sim, token, '{ appInstances(first: 1) { nodes { id }');

    expect(response.status).toBe(200);
    expect(response.body.errors?.[0]?.locations).toEqual([{ line: 1, column: 40 }]);
  });

  it('requires first on root connections', async () => {
    const response = await graphql(sim, token, '{ webhooks { nodes { id } } }');

    expect(response.body.errors?.[0]?.message).toMatch(/'first' or 'last' is required on webhooks/);
  });

  it('pages with after and endCursor', async () => {
    for (const name of ['a', 'b', 'c']) {
      await sim.control.createServiceInstance({ name: `Service ${name}` });
    }
    const query = `query($after: String) { serviceInstances(first: 2, after: $after) {
      nodes { name } pageInfo { hasNextPage endCursor } totalCount } }`;

    const first = await graphql(sim, token, query);
    const firstPage = first.body.data?.serviceInstances as {
      nodes: Array<{ name: string }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      totalCount: number;
    };
    const second = await graphql(sim, token, query, { after: firstPage.pageInfo.endCursor });
    const secondPage = second.body.data?.serviceInstances as typeof firstPage;

    expect(firstPage.nodes.map((node) => node.name)).toEqual(['App Services', 'Service a']);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    expect(firstPage.totalCount).toBe(4);
    expect(secondPage.nodes.map((node) => node.name)).toEqual(['Service b', 'Service c']);
    expect(secondPage.pageInfo.hasNextPage).toBe(false);
  });

  it('applies negated filters', async () => {
    const response = await graphql(
      sim,
      token,
      '{ serviceInstances(first: 10, filter: { name: { values: ["App Services"], negate: true } }) { nodes { name } } }',
    );

    expect((response.body.data?.serviceInstances as { nodes: unknown[] }).nodes).toHaveLength(3);
  });
});

describe('webhook policy mutations', () => {
  const CREATE = `mutation { webhookPolicyCreate(input: {jwtAlg: es256}) {
    webhookPolicy { id jwtAlg jwtAudience publicKeyPem account { url } } errors { path message } } }`;

  it('returns an SPKI public key on create', async () => {
    const response = await graphql(sim, token, CREATE);
    const payload = response.body.data?.webhookPolicyCreate as {
      webhookPolicy: { id: string; jwtAlg: string; jwtAudience: string | null; publicKeyPem: string; account: { url: string } };
      errors: unknown[];
    };

    expect(payload.errors).toEqual([]);
    expect(payload.webhookPolicy.jwtAlg).toBe('es256');
    expect(payload.webhookPolicy.jwtAudience).toBeNull();
    expect(payload.webhookPolicy.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n?$/);
    expect(payload.webhookPolicy.account.url).toBe(sim.accountUrl('provider'));
  });

  it('accepts jwtAlg as a string literal', async () => {
    const response = await graphql(sim, token, 'mutation { webhookPolicyCreate(input: {jwtAlg: "rs256", jwtAudience: "public"}) { webhookPolicy { jwtAlg jwtAudience } } }');

    expect(response.body.data?.webhookPolicyCreate).toEqual({ webhookPolicy: { jwtAlg: 'rs256', jwtAudience: 'public' } });
  });

  it('reports an unsupported algorithm in payload errors', async () => {
    const response = await graphql(sim, token, 'mutation { webhookPolicyCreate(input: {jwtAlg: hs256}) { webhookPolicy { id } errors { path message } } }');
    const payload = response.body.data?.webhookPolicyCreate as { webhookPolicy: unknown; errors: Array<{ path: string[]; message: string }> };

    expect(payload.webhookPolicy).toBeNull();
    expect(payload.errors[0]?.path).toEqual(['jwtAlg']);
    expect(payload.errors[0]?.message).toMatch(/^Invalid JWT algorithm: hs256/);
  });

  it('answers Not Found for a deleted policy', async () => {
    const created = await graphql(sim, token, CREATE);
    const id = (created.body.data?.webhookPolicyCreate as { webhookPolicy: { id: string } }).webhookPolicy.id;
    await graphql(sim, token, 'mutation($id: ID!) { webhookPolicyDelete(input: {id: $id}) { success } }', { id });

    const response = await graphql(
      sim,
      token,
      'mutation($id: ID!) { webhookPolicyUpdate(input: { id: $id, disabled: false }) { webhookPolicy { id } errors { path message } } }',
      { id },
    );

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ webhookPolicyUpdate: null });
    expect(response.body.errors).toEqual([{ message: 'Not Found', locations: [{ line: 1, column: 22 }], path: ['webhookPolicyUpdate'] }]);
  });
});

describe('webhook mutations', () => {
  it('creates a webhook with a string event', async () => {
    const response = await graphql(
      sim,
      token,
      `mutation($event: WebhookEvent!, $uri: String!, $references: [String!]) {
        webhookCreate(input: { event: $event, uri: $uri, name: "iPaaS - Secrets Changed", appOfferingReferences: $references }) {
          errors { path message } webhook { id event uri appOfferingReferences } } }`,
      { event: 'app_instance.secrets-update', uri: `${receiver.url}/secrets`, references: [] },
    );

    expect(response.body.data?.webhookCreate).toEqual({
      errors: [],
      webhook: { id: expect.any(String), event: 'app_instance.secrets-update', uri: `${receiver.url}/secrets`, appOfferingReferences: [] },
    });
  });

  it('rejects an unknown event', async () => {
    const response = await graphql(sim, token, 'mutation { webhookCreate(input: { event: "nope.create", uri: "http://127.0.0.1:9" }) { webhook { id } } }');

    expect(response.body.errors?.[0]?.message).toMatch(/Invalid WebhookEvent value "nope.create"/);
  });

  it('reports an invalid uri in payload errors', async () => {
    const response = await graphql(sim, token, 'mutation { webhookCreate(input: { event: automation_rule, uri: "not a url" }) { webhook { id } errors { path message } } }');
    const payload = response.body.data?.webhookCreate as { errors: Array<{ path: string[] }> };

    expect(payload.errors.map((error) => error.path)).toEqual([['uri']]);
  });
});

describe('offering mutations', () => {
  it('creates, adds a rule and publishes', async () => {
    const serviceInstances = await graphql(sim, token, '{ serviceInstances(first: 1, filter: { name: { values: ["App Services"] } }) { nodes { id } } }');
    const serviceInstanceId = (serviceInstances.body.data?.serviceInstances as { nodes: Array<{ id: string }> }).nodes[0]?.id;
    const created = await graphql(
      sim,
      token,
      `mutation($serviceInstanceId: ID!) { appOfferingCreate(input: { name: "Yoda Translate", reference: "yoda",
        serviceInstanceId: $serviceInstanceId, policyJwtAlg: rs512, webhookUriTemplate: "http://127.0.0.1:9/hook?customer_account_id={account}",
        newScopes: [{ effect: allow, grantType: client_credentials, actions: ["request:Read"] }] }) {
        appOffering { id reference published latest policyJwtAlg scopes { actions grantType effect } } errors { path message } } }`,
      { serviceInstanceId },
    );
    const offering = (created.body.data?.appOfferingCreate as { appOffering: { id: string } }).appOffering;
    const rule = await graphql(
      sim,
      token,
      `mutation($id: ID!) { appOfferingAutomationRuleCreate(input: { appOfferingId: $id, name: "Note", trigger: "on note added",
        condition: "true", expressions: [{ name: "text", value: "note.text" }], actions: [{ name: "call", value: "call webhook" }] }) {
        appOfferingAutomationRule { name expressions { name value } } errors { message } } }`,
      { id: offering.id },
    );
    const published = await graphql(
      sim,
      token,
      'mutation($id: ID!) { appOfferingPublish(input: { id: $id }) { appOffering { reference published latest automationRules { nodes { name } } } } }',
      { id: offering.id },
    );
    const drafts = await graphql(
      sim,
      token,
      '{ appOfferings(first: 5, filter: { published: false, reference: { values: ["yoda"] } }) { nodes { reference published } } }',
    );

    expect(created.body.data?.appOfferingCreate).toMatchObject({
      errors: [],
      appOffering: {
        reference: 'yoda',
        published: false,
        latest: true,
        policyJwtAlg: 'rs512',
        scopes: [{ actions: ['request:Read'], grantType: 'client_credentials', effect: 'allow' }],
      },
    });
    expect(rule.body.data?.appOfferingAutomationRuleCreate).toEqual({
      appOfferingAutomationRule: { name: 'Note', expressions: [{ name: 'text', value: 'note.text' }] },
      errors: [],
    });
    expect(published.body.data?.appOfferingPublish).toEqual({
      appOffering: { reference: 'yoda', published: true, latest: true, automationRules: { nodes: [{ name: 'Note' }] } },
    });
    expect(drafts.body.data?.appOfferings).toEqual({ nodes: [{ reference: 'yoda', published: false }] });
  });

  it('rejects a taken reference', async () => {
    await sim.control.createOffering({ reference: 'taken' });
    const serviceInstances = await graphql(sim, token, '{ serviceInstances(first: 1) { nodes { id } } }');
    const serviceInstanceId = (serviceInstances.body.data?.serviceInstances as { nodes: Array<{ id: string }> }).nodes[0]?.id;

    const response = await graphql(
      sim,
      token,
      'mutation($id: ID!) { appOfferingCreate(input: { name: "X", reference: "taken", serviceInstanceId: $id }) { appOffering { id } errors { path message } } }',
      { id: serviceInstanceId },
    );

    expect(response.body.data?.appOfferingCreate).toEqual({
      appOffering: null,
      errors: [{ path: ['reference'], message: 'has already been taken: taken' }],
    });
  });

  it('answers Not Found for an unknown service instance id', async () => {
    const response = await graphql(
      sim,
      token,
      'mutation { appOfferingCreate(input: { name: "X", serviceInstanceId: "x" }) { appOffering { id } } }',
    );

    expect(response.body.errors?.[0]?.message).toBe('Not Found');
  });
});

describe('app instance mutations', () => {
  it('writes custom fields back', async () => {
    const list = await graphql(sim, token, APP_CONFIG_QUERY, { appReference: 'weu_it_phone', customerAccountId: 'wdc' });
    const id = (list.body.data?.appInstances as { nodes: Array<{ id: string }> }).nodes[0]?.id;

    const response = await graphql(
      sim,
      token,
      'mutation($id: ID!) { appInstanceUpdate(input: { id: $id, customFields: [{ id: "bounces", value: 43 }], suspended: true, suspensionComment: "paused" }) { appInstance { customFields { id value } suspended suspensionComment } errors { message } } }',
      { id },
    );

    expect(response.body.data?.appInstanceUpdate).toEqual({
      appInstance: {
        customFields: [
          { id: 'phone_nr', value: '+99 555 222 421' },
          { id: 'bounces', value: 43 },
        ],
        suspended: true,
        suspensionComment: 'paused',
      },
      errors: [],
    });
  });
});

describe('scopes', () => {
  it('rejects a field outside the token scopes', async () => {
    const application = await sim.control.createOauthApplication({ account: 'provider', grantType: 'client_credentials', scopes: ['webhook:R'] });
    const limited = await clientCredentialsToken(sim, application.clientId, application.clientSecret);

    const allowed = await graphql(sim, limited, '{ webhooks(first: 1) { totalCount } }');
    const denied = await graphql(sim, limited, 'mutation { webhookPolicyCreate(input: {jwtAlg: es256}) { webhookPolicy { id } } }');

    expect(allowed.body.errors).toBeUndefined();
    expect(denied.body.errors?.[0]).toMatchObject({
      message: 'Unauthorized',
      path: ['webhookPolicyCreate'],
      extensions: { missingScope: 'webhook-policy:Create' },
    });
  });

  it('accepts full action names and star', async () => {
    const full = await sim.control.createOauthApplication({ account: 'provider', grantType: 'client_credentials', scopes: 'webhook-policy:Create,webhook-policy:Read' });
    const star = await sim.control.createOauthApplication({ account: 'provider', grantType: 'client_credentials', scopes: ['webhook-policy:*'] });
    const fullToken = await clientCredentialsToken(sim, full.clientId, full.clientSecret);
    const starToken = await clientCredentialsToken(sim, star.clientId, star.clientSecret);

    const byName = await graphql(sim, fullToken, '{ webhookPolicies(first: 1) { totalCount } }');
    const byStar = await graphql(sim, starToken, '{ webhookPolicies(first: 1) { totalCount } }');
    const deniedUpdate = await graphql(sim, fullToken, 'mutation { webhookPolicyDelete(input: {id: "x"}) { success } }');

    expect(byName.body.errors).toBeUndefined();
    expect(byStar.body.errors).toBeUndefined();
    expect(deniedUpdate.body.errors?.[0]?.message).toBe('Unauthorized');
  });
});

describe('ui extension mutations', () => {
  it('creates and activates versions', async () => {
    const created = await graphql(
      sim,
      token,
      'mutation { uiExtensionCreate(input: { name: "notes_config", category: app_offering, html: "<div>v1</div>", activate: true }) { uiExtension { id activeVersion { versionNr status html } } errors { message } } }',
    );
    const id = (created.body.data?.uiExtensionCreate as { uiExtension: { id: string } }).uiExtension.id;

    const updated = await graphql(
      sim,
      token,
      'mutation($id: ID!) { uiExtensionUpdate(input: { id: $id, html: "<div>v2</div>", activate: true }) { uiExtension { activeVersion { versionNr html } versions(first: 5) { nodes { versionNr status } } } } }',
      { id },
    );

    expect(created.body.data?.uiExtensionCreate).toEqual({
      uiExtension: { id: expect.any(String), activeVersion: { versionNr: 1, status: 'active', html: '<div>v1</div>' } },
      errors: [],
    });
    expect(updated.body.data?.uiExtensionUpdate).toEqual({
      uiExtension: {
        activeVersion: { versionNr: 2, html: '<div>v2</div>' },
        versions: { nodes: [{ versionNr: 1, status: 'archived' }, { versionNr: 2, status: 'active' }] },
      },
    });
  });
});
