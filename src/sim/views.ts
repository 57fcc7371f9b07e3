import type {
  AccountRecord,
  AppInstanceRecord,
  OauthApplicationRecord,
  OfferingRecord,
  SimulatorState,
  WebhookPolicyRecord,
  WebhookRecord,
} from './state.js';

/** JSON views of records returned by the control API; they hold no private keys. */

export interface AccountView {
  id: string;
  name: string;
  url: string;
  role: 'provider' | 'customer';
}

export interface OauthApplicationView {
  id: number;
  nodeId: string;
  accountId: string;
  grantType: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  redirectUris: string[];
  disabled: boolean;
}

export interface WebhookView {
  id: number;
  nodeId: string;
  accountId: string;
  name: string;
  event: string;
  uri: string;
  disabled: boolean;
  verified: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  webhookPolicyId: number | null;
  appOfferingReferences: string[];
}

export interface WebhookPolicyView {
  id: number;
  nodeId: string;
  accountId: string;
  jwtAlg: string;
  jwtAudience: string | null;
  jwtClaimExpiresIn: number | null;
  keyId: string;
  publicKeyPem: string;
  /** Expected `iss` of the JWTs this policy signs. */
  issuer: string;
}

export interface OfferingView {
  id: number;
  nodeId: string;
  reference: string;
  name: string;
  published: boolean;
}

export interface AppInstanceView {
  id: number;
  nodeId: string;
  customerAccountId: string;
  offeringReference: string;
  appOfferingId: number;
  customFields: Array<{ id: string; value: unknown }>;
  disabled: boolean;
  enabledByCustomer: boolean;
  suspended: boolean;
  suspensionComment: string | null;
  webhookId: number | null;
  webhookPolicyId: number | null;
  oauthApplications: OauthApplicationView[];
}

export function accountView(state: SimulatorState, account: AccountRecord): AccountView {
  return { id: account.id, name: account.name, url: state.accountUrl(account.id), role: account.role };
}

export function oauthApplicationView(state: SimulatorState, application: OauthApplicationRecord): OauthApplicationView {
  return {
    id: application.id,
    nodeId: state.nodeId('OauthApplication', application.id),
    accountId: application.accountId,
    grantType: application.grantType,
    clientId: application.clientId,
    clientSecret: application.clientSecret,
    scopes: [...application.scopes],
    redirectUris: [...application.redirectUris],
    disabled: application.disabled,
  };
}

export function webhookView(state: SimulatorState, webhook: WebhookRecord): WebhookView {
  return {
    id: webhook.id,
    nodeId: state.nodeId('Webhook', webhook.id),
    accountId: webhook.accountId,
    name: webhook.name,
    event: webhook.event,
    uri: webhook.uri,
    disabled: webhook.disabled,
    verified: webhook.verified,
    consecutiveFailures: webhook.consecutiveFailures,
    lastError: webhook.lastError,
    webhookPolicyId: webhook.webhookPolicyId,
    appOfferingReferences: [...webhook.appOfferingReferences],
  };
}

export function webhookPolicyView(state: SimulatorState, policy: WebhookPolicyRecord): WebhookPolicyView {
  return {
    id: policy.id,
    nodeId: state.nodeId('WebhookPolicy', policy.id),
    accountId: policy.accountId,
    jwtAlg: policy.jwtAlg,
    jwtAudience: policy.jwtAudience,
    jwtClaimExpiresIn: policy.jwtClaimExpiresIn,
    keyId: policy.keyId,
    publicKeyPem: policy.publicKeyPem,
    issuer: state.accountUrl(policy.accountId),
  };
}

export function offeringView(state: SimulatorState, offering: OfferingRecord): OfferingView {
  return {
    id: offering.id,
    nodeId: state.nodeId('AppOffering', offering.id),
    reference: offering.reference,
    name: offering.name,
    published: offering.published,
  };
}

export function appInstanceView(state: SimulatorState, instance: AppInstanceRecord): AppInstanceView {
  return {
    id: instance.id,
    nodeId: state.nodeId('AppInstance', instance.id),
    customerAccountId: instance.customerAccountId,
    offeringReference: state.offerings.get(instance.appOfferingId)?.reference ?? '',
    appOfferingId: instance.appOfferingId,
    customFields: instance.customFields.map((field) => ({ ...field })),
    disabled: instance.disabled,
    enabledByCustomer: instance.enabledByCustomer,
    suspended: instance.suspended,
    suspensionComment: instance.suspensionComment,
    webhookId: instance.webhookId,
    webhookPolicyId: instance.webhookPolicyId,
    oauthApplications: instance.oauthApplicationIds
      .map((id) => state.oauthApplications.get(id))
      .filter((application): application is OauthApplicationRecord => application !== undefined)
      .map((application) => oauthApplicationView(state, application)),
  };
}
