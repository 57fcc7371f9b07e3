import { z } from 'zod';

/** Input schemas of the control operations, shared by the in-process and the HTTP control API. */

const accountId = z.string().min(1);
const grantType = z.enum(['client_credentials', 'authorization_code']);
const scopes = z.union([z.array(z.string()), z.string()]);
const jwtAlg = z.enum(['rs256', 'rs384', 'rs512', 'es256', 'es384', 'es512']);
const customFields = z.union([
  z.record(z.string(), z.unknown()),
  z.array(z.object({ id: z.string(), value: z.unknown() })),
]);
const secrets = z.record(z.string(), z.string());
const count = z.number().int().min(1);

export const installPart = z.enum(['create', 'application', 'authorization_application', 'policy', 'secrets']);

export const controlSchemas = {
  createCustomerAccount: z.object({ id: accountId, name: z.string().optional() }),
  accounts: z.object({}),
  createOauthApplication: z.object({
    account: accountId,
    grantType,
    scopes,
    redirectUris: z.array(z.string()).optional(),
    name: z.string().optional(),
  }),
  tokenRequestCount: z.object({ clientId: z.string().optional() }),
  setTokenLifetime: z.object({ seconds: z.number().int().min(1) }),
  setRateLimits: z.object({
    burstRequests: count.optional(),
    hourlyRequests: count.optional(),
    hourlyCost: count.optional(),
  }),
  resetRateLimits: z.object({}),
  setRetrySpeedFactor: z.object({ factor: z.number().positive() }),
  setAsyncResultDelay: z.object({ ms: z.number().int().min(0) }),
  createServiceInstance: z.object({ account: accountId.optional(), name: z.string().min(1) }),
  createOffering: z.object({
    reference: z.string().min(1),
    name: z.string().optional(),
    published: z.boolean().optional(),
    serviceInstanceId: z.number().int().optional(),
    webhookUriTemplate: z.string().optional(),
    configurationUriTemplate: z.string().optional(),
    oauthAuthorizationEndpoints: z.array(z.string()).optional(),
    policyJwtAlg: jwtAlg.optional(),
    policyJwtAudience: z.string().optional(),
    policyJwtClaimExpiresIn: z.number().int().min(1).optional(),
    scopes: z
      .array(
        z.object({
          grantType,
          actions: z.array(z.string()),
          effect: z.enum(['allow', 'deny']).optional(),
          conditions: z.array(z.string()).optional(),
        }),
      )
      .optional(),
    automationRules: z
      .array(
        z.object({
          name: z.string(),
          trigger: z.string().optional(),
          condition: z.string().optional(),
          generic: z.string().optional(),
          description: z.string().optional(),
          expressions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
          actions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
        }),
      )
      .optional(),
  }),
  createWebhookPolicy: z.object({
    account: accountId.optional(),
    jwtAlg,
    jwtAudience: z.string().optional(),
    jwtClaimExpiresIn: z.number().int().min(1).optional(),
  }),
  createWebhook: z.object({
    account: accountId.optional(),
    event: z.string(),
    uri: z.string(),
    name: z.string().optional(),
    webhookPolicyId: z.number().int().optional(),
    appOfferingReferences: z.array(z.string()).optional(),
    /** Skip webhook.verify and activate the webhook at once. */
    verified: z.boolean().optional(),
  }),
  verifyWebhook: z.object({ id: z.number().int() }),
  webhooks: z.object({ account: accountId.optional() }),
  webhookPolicy: z.object({ id: z.number().int() }),
  sendEvent: z.object({
    account: accountId.optional(),
    event: z.string(),
    payload: z.record(z.string(), z.unknown()).optional(),
    appOfferingReference: z.string().optional(),
  }),
  install: z.object({
    customer: accountId,
    offeringReference: z.string(),
    customFields: customFields.optional(),
    secrets: secrets.optional(),
    order: z.array(installPart).optional(),
    enabledByCustomer: z.boolean().optional(),
  }),
  update: z.object({
    customer: accountId,
    offeringReference: z.string(),
    customFields: customFields.optional(),
    secrets: secrets.optional(),
    disabled: z.boolean().optional(),
    suspended: z.boolean().optional(),
    suspensionComment: z.string().nullable().optional(),
    enabledByCustomer: z.boolean().optional(),
    /** Move the instance to the latest published version of the offering (`app_offering.updated: true`). */
    upgrade: z.boolean().optional(),
  }),
  suspend: z.object({ customer: accountId, offeringReference: z.string(), comment: z.string().optional() }),
  disable: z.object({ customer: accountId, offeringReference: z.string() }),
  uninstall: z.object({ customer: accountId, offeringReference: z.string() }),
  fire: z.object({
    customer: accountId,
    offeringReference: z.string(),
    rule: z.string().optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
  }),
  appInstance: z.object({ customer: accountId, offeringReference: z.string() }),
  deliveries: z.object({
    webhookId: z.number().int().optional(),
    event: z.string().optional(),
    accountId: z.string().optional(),
    customerAccountId: z.string().optional(),
    ok: z.boolean().optional(),
    attempt: z.number().int().optional(),
    callId: z.number().int().optional(),
  }),
  clearDeliveries: z.object({}),
  addFault: z.union([
    z.object({
      target: z.enum(['oauth', 'graphql', 'asyncResult', 'upload']),
      fault: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('latency'), ms: z.number().int().min(0) }),
        z.object({ kind: z.literal('status'), status: z.number().int() }),
        z.object({ kind: z.literal('rateLimit'), retryAfterSeconds: z.number().int().min(0) }),
        z.object({ kind: z.literal('drop') }),
        z.object({ kind: z.literal('malformedJson') }),
      ]),
      times: z.number().optional(),
      probability: z.number().optional(),
    }),
    z.object({
      target: z.literal('delivery'),
      fault: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('duplicate') }),
        z.object({ kind: z.literal('outOfOrder') }),
      ]),
      event: z.string().optional(),
      webhookId: z.number().int().optional(),
      times: z.number().optional(),
      probability: z.number().optional(),
    }),
  ]),
  clearFaults: z.object({}),
  faults: z.object({}),
  completeAsyncQueries: z.object({}),
} as const;

export type ControlSchemas = typeof controlSchemas;
export type ControlInput<K extends keyof ControlSchemas> = z.input<ControlSchemas[K]>;
export type InstallPart = z.infer<typeof installPart>;
