/**
 * The GraphQL calls that provisioning makes in the provider account: webhook policies,
 * webhooks and app offering drafts. Ids are Xurrent nodeIDs.
 */
import { XurrentNotFoundError } from '../xurrent/errors.js';
import type { XurrentGraphqlClient } from '../xurrent/graphql-client.js';

export interface PolicyRecord {
  id: string;
  disabled: boolean;
  /** Lower case, as in Xurrent's `WebhookPolicyJwtAlg` enum: `es256`. */
  jwtAlg: string;
  jwtAudience: string | null;
  /** URL of the account that owns the policy: the `iss` of the JWTs it signs. */
  accountUrl: string | null;
}

export interface CreatedPolicy extends PolicyRecord {
  publicKeyPem: string;
}

export interface WebhookRecord {
  id: string;
  name: string | null;
  event: string;
  uri: string;
  disabled: boolean;
  policyId: string | null;
  appOfferingReferences: string[];
}

export interface WebhookInput {
  event: string;
  name: string;
  uri: string;
  policyId: string;
  appOfferingReferences: string[];
}

/** The fields of a webhook that an update changes; the others are left as they are. */
export type WebhookChanges = Partial<Pick<WebhookInput, 'name' | 'uri' | 'policyId' | 'appOfferingReferences'>>;

export interface OfferingRecord {
  id: string;
  reference: string;
  webhookUriTemplate: string | null;
  configurationUriTemplate: string | null;
}

export interface OfferingVersions {
  /** The version providers edit (`published: false`). */
  draft: OfferingRecord | undefined;
  /** The latest published version, which new installations get. */
  published: OfferingRecord | undefined;
}

const POLICY_FIELDS = 'id disabled jwtAlg jwtAudience account { url }';
const WEBHOOK_FIELDS = 'id name event uri disabled appOfferingReferences webhookPolicy { id }';
const OFFERING_FIELDS = 'id reference webhookUriTemplate configurationUriTemplate';

const POLICY_QUERY = `query ProvisioningPolicy($id: ID!) {
  node(id: $id) { ... on WebhookPolicy { ${POLICY_FIELDS} } }
}`;

const POLICY_CREATE = `mutation ($input: WebhookPolicyCreateInput!) {
  webhookPolicyCreate(input: $input) { errors { path message } webhookPolicy { ${POLICY_FIELDS} publicKeyPem } }
}`;

const POLICY_UPDATE = `mutation ($input: WebhookPolicyUpdateInput!) {
  webhookPolicyUpdate(input: $input) { errors { path message } webhookPolicy { ${POLICY_FIELDS} } }
}`;

const POLICY_DELETE = `mutation ($input: WebhookPolicyDeleteMutationInput!) {
  webhookPolicyDelete(input: $input) { errors { path message } success }
}`;

const WEBHOOKS_QUERY = `query ProvisioningWebhooks($after: String) {
  webhooks(first: 100, after: $after) { nodes { ${WEBHOOK_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;

const WEBHOOK_CREATE = `mutation ($input: WebhookCreateInput!) {
  webhookCreate(input: $input) { errors { path message } webhook { ${WEBHOOK_FIELDS} } }
}`;

const WEBHOOK_UPDATE = `mutation ($input: WebhookUpdateInput!) {
  webhookUpdate(input: $input) { errors { path message } webhook { ${WEBHOOK_FIELDS} } }
}`;

const WEBHOOK_DELETE = `mutation ($input: WebhookDeleteMutationInput!) {
  webhookDelete(input: $input) { errors { path message } success }
}`;

const OFFERING_QUERY = `query ProvisioningOffering($reference: String!) {
  draft: appOfferings(first: 1, filter: { published: false, reference: { values: [$reference] } }) { nodes { ${OFFERING_FIELDS} } }
  published: appOfferings(first: 1, filter: { published: true, latest: true, reference: { values: [$reference] } }) { nodes { ${OFFERING_FIELDS} } }
}`;

const OFFERING_UPDATE = `mutation ($input: AppOfferingUpdateInput!) {
  appOfferingUpdate(input: $input) { errors { path message } appOffering { ${OFFERING_FIELDS} } }
}`;

interface RawPolicy {
  id: string;
  disabled?: boolean | null;
  jwtAlg?: string | null;
  jwtAudience?: string | null;
  account?: { url?: string | null } | null;
  publicKeyPem?: string | null;
}

interface RawWebhook {
  id: string;
  name?: string | null;
  event?: string | null;
  uri?: string | null;
  disabled?: boolean | null;
  appOfferingReferences?: string[] | null;
  webhookPolicy?: { id: string } | null;
}

interface RawOffering {
  id: string;
  reference?: string | null;
  webhookUriTemplate?: string | null;
  configurationUriTemplate?: string | null;
}

export class ProviderApi {
  constructor(private readonly client: XurrentGraphqlClient) {}

  /** Returns the policy, or undefined when Xurrent no longer has it. */
  async findPolicy(id: string): Promise<PolicyRecord | undefined> {
    try {
      const data = await this.client.query<{ node: RawPolicy | null }>(POLICY_QUERY, { id });
      // A node of another type comes back as an empty object.
      return data.node?.id === undefined ? undefined : toPolicy(data.node);
    } catch (error) {
      if (error instanceof XurrentNotFoundError) {
        return undefined;
      }
      throw error;
    }
  }

  /** Creates an ES256 policy. Its public key is in this response only. */
  async createPolicy(): Promise<CreatedPolicy> {
    const payload = await this.client.mutate<{ webhookPolicy: RawPolicy }>('webhookPolicyCreate', POLICY_CREATE, {
      input: { jwtAlg: 'es256' },
    });
    const publicKeyPem = payload.webhookPolicy.publicKeyPem;
    if (typeof publicKeyPem !== 'string' || publicKeyPem === '') {
      throw new Error(`webhookPolicyCreate returned policy ${payload.webhookPolicy.id} without publicKeyPem`);
    }
    return { ...toPolicy(payload.webhookPolicy), publicKeyPem };
  }

  /** Re-enables a disabled policy. Throws `XurrentNotFoundError` when the policy is gone. */
  async enablePolicy(id: string): Promise<void> {
    await this.client.mutate('webhookPolicyUpdate', POLICY_UPDATE, { input: { id, disabled: false } });
  }

  /** Deletes a policy. Returns false when it was already gone. */
  async deletePolicy(id: string): Promise<boolean> {
    return this.deleteRecord('webhookPolicyDelete', POLICY_DELETE, id);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const webhooks: WebhookRecord[] = [];
    for await (const node of this.client.paginate<RawWebhook | null>(WEBHOOKS_QUERY, {}, 'webhooks')) {
      if (node !== null) {
        webhooks.push(toWebhook(node));
      }
    }
    return webhooks;
  }

  async createWebhook(input: WebhookInput, description: string): Promise<WebhookRecord> {
    const payload = await this.client.mutate<{ webhook: RawWebhook }>('webhookCreate', WEBHOOK_CREATE, {
      input: {
        event: input.event,
        name: input.name,
        description,
        uri: input.uri,
        webhookPolicyId: input.policyId,
        appOfferingReferences: input.appOfferingReferences,
        disabled: false,
      },
    });
    return toWebhook(payload.webhook);
  }

  /**
   * Sets the given fields and enables the webhook. Only a changed URI makes Xurrent send
   * webhook.verify again, so unchanged fields are not sent. Throws `XurrentNotFoundError`
   * when the webhook is gone.
   */
  async updateWebhook(id: string, changes: WebhookChanges): Promise<WebhookRecord> {
    const input: Record<string, unknown> = { id, disabled: false };
    if (changes.name !== undefined) input.name = changes.name;
    if (changes.uri !== undefined) input.uri = changes.uri;
    if (changes.policyId !== undefined) input.webhookPolicyId = changes.policyId;
    if (changes.appOfferingReferences !== undefined) input.appOfferingReferences = changes.appOfferingReferences;

    const payload = await this.client.mutate<{ webhook: RawWebhook }>('webhookUpdate', WEBHOOK_UPDATE, { input });
    return toWebhook(payload.webhook);
  }

  /** Deletes a webhook. Returns false when it was already gone. */
  async deleteWebhook(id: string): Promise<boolean> {
    return this.deleteRecord('webhookDelete', WEBHOOK_DELETE, id);
  }

  async findOffering(reference: string): Promise<OfferingVersions> {
    const data = await this.client.query<{ draft: { nodes: RawOffering[] }; published: { nodes: RawOffering[] } }>(
      OFFERING_QUERY,
      { reference },
    );
    const draft = data.draft.nodes[0];
    const published = data.published.nodes[0];
    return {
      draft: draft === undefined ? undefined : toOffering(draft),
      published: published === undefined ? undefined : toOffering(published),
    };
  }

  /** Sets the templates of an offering draft; undefined fields are left alone. */
  async updateOffering(
    id: string,
    templates: { webhookUriTemplate?: string | undefined; configurationUriTemplate?: string | undefined },
  ): Promise<void> {
    const input: Record<string, string> = { id };
    if (templates.webhookUriTemplate !== undefined) {
      input.webhookUriTemplate = templates.webhookUriTemplate;
    }
    if (templates.configurationUriTemplate !== undefined) {
      input.configurationUriTemplate = templates.configurationUriTemplate;
    }
    await this.client.mutate('appOfferingUpdate', OFFERING_UPDATE, { input });
  }

  private async deleteRecord(mutationName: string, document: string, id: string): Promise<boolean> {
    try {
      await this.client.mutate(mutationName, document, { input: { id } });
      return true;
    } catch (error) {
      if (error instanceof XurrentNotFoundError) {
        return false;
      }
      throw error;
    }
  }
}

function toPolicy(raw: RawPolicy): PolicyRecord {
  return {
    id: raw.id,
    disabled: raw.disabled === true,
    jwtAlg: (raw.jwtAlg ?? '').toLowerCase(),
    jwtAudience: raw.jwtAudience ?? null,
    accountUrl: raw.account?.url ?? null,
  };
}

function toWebhook(raw: RawWebhook): WebhookRecord {
  return {
    id: raw.id,
    name: raw.name ?? null,
    event: raw.event ?? '',
    uri: raw.uri ?? '',
    disabled: raw.disabled === true,
    policyId: raw.webhookPolicy?.id ?? null,
    appOfferingReferences: raw.appOfferingReferences ?? [],
  };
}

function toOffering(raw: RawOffering): OfferingRecord {
  return {
    id: raw.id,
    reference: raw.reference ?? '',
    webhookUriTemplate: raw.webhookUriTemplate ?? null,
    configurationUriTemplate: raw.configurationUriTemplate ?? null,
  };
}
