import type { CryptoKey } from 'jose';
import type { Clock } from './clock.js';
import { encodeNodeId } from './ids.js';
import type { RateLimitSettings } from './options.js';

export type GrantType = 'client_credentials' | 'authorization_code';

export interface AccountRecord {
  id: string;
  name: string;
  role: 'provider' | 'customer';
  /** The person that acts in this account: token owner, installer, automation rule trigger. */
  personId: number;
  createdAt: number;
}

export interface PersonRecord {
  id: number;
  accountId: string;
  name: string;
}

export interface OauthApplicationRecord {
  id: number;
  accountId: string;
  name: string;
  grantType: GrantType;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  redirectUris: string[];
  disabled: boolean;
  appInstanceId: number | null;
  createdAt: number;
}

export interface AccessTokenRecord {
  token: string;
  applicationId: number;
  accountId: string;
  scopes: string[];
  expiresAt: number;
  /** The authorization code the token came from; reusing that code revokes the token. */
  authorizationCode: string | null;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  applicationId: number;
  expiresAt: number;
  authorizationCode: string | null;
  revoked: boolean;
}

export interface AuthorizationCodeRecord {
  code: string;
  applicationId: number;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export interface ServiceInstanceRecord {
  id: number;
  accountId: string;
  name: string;
  source: string | null;
  sourceID: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AttachmentReference {
  key: string;
  inline: boolean;
  size: number | null;
}

export interface OfferingScopeRecord {
  id: number;
  effect: string;
  grantType: GrantType;
  actions: string[];
  conditions: string[];
}

export interface OfferingRecord {
  id: number;
  accountId: string;
  name: string;
  reference: string;
  cardDescription: string | null;
  description: string | null;
  features: string | null;
  compliance: string | null;
  descriptionAttachments: AttachmentReference[];
  featuresAttachments: AttachmentReference[];
  complianceAttachments: AttachmentReference[];
  pictureUri: string | null;
  disabled: boolean;
  published: boolean;
  latest: boolean;
  serviceInstanceId: number | null;
  webhookUriTemplate: string | null;
  configurationUriTemplate: string | null;
  oauthAuthorizationEndpoints: string[];
  policyJwtAlg: string | null;
  policyJwtAudience: string | null;
  policyJwtClaimExpiresIn: number | null;
  openidConnectDiscovery: boolean;
  requiresEnabledOauthPerson: boolean;
  scopes: OfferingScopeRecord[];
  uiExtensionId: number | null;
  uiExtensionVersionId: number | null;
  /** For a published version: the draft it was published from. */
  draftId: number | null;
  source: string | null;
  sourceID: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RuleExpression {
  name: string;
  value: string;
}

export interface AutomationRuleRecord {
  id: number;
  accountId: string;
  /** Set on the provider's rule of an offering. */
  appOfferingId: number | null;
  /** Set on the copy made in a customer account at install. */
  appInstanceId: number | null;
  name: string;
  description: string | null;
  generic: string | null;
  trigger: string;
  condition: string;
  expressions: RuleExpression[];
  actions: RuleExpression[];
  position: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface CustomFieldValue {
  id: string;
  value: unknown;
}

export interface AppInstanceRecord {
  id: number;
  accountId: string;
  appOfferingId: number;
  customerAccountId: string;
  customerRepresentativeId: number;
  customFields: CustomFieldValue[];
  disabled: boolean;
  enabledByCustomer: boolean;
  suspended: boolean;
  suspensionComment: string | null;
  webhookId: number | null;
  webhookPolicyId: number | null;
  oauthApplicationIds: number[];
  /** Customer copies of the offering's automation rules, by the offering rule's id. */
  customerRuleIds: Map<number, number>;
  /** Last secret values sent, kept only to send changed values on update. */
  secrets: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookPolicyRecord {
  id: number;
  accountId: string;
  /** Generated 56-hex-char name, read-only as in Xurrent. */
  name: string;
  disabled: boolean;
  jwtAlg: string;
  jwtAudience: string | null;
  jwtClaimExpiresIn: number | null;
  /** `kid` header of the JWTs this policy signs. */
  keyId: string;
  privateKey: CryptoKey;
  publicKeyPem: string;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookRecord {
  id: number;
  accountId: string;
  name: string;
  description: string | null;
  disabled: boolean;
  event: string;
  uri: string;
  mailExceptionsTo: string | null;
  webhookPolicyId: number | null;
  appOfferingReferences: string[];
  openidConnectDiscovery: boolean;
  source: string | null;
  sourceID: string | null;
  /** False from creation or a uri change until the webhook.verify callback is called. */
  verified: boolean;
  verification: { code: string; expiresAt: number } | null;
  consecutiveFailures: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface UiExtensionVersionRecord {
  id: number;
  uiExtensionId: number;
  versionNr: number;
  status: 'active' | 'archived' | 'being_prepared';
  html: string | null;
  css: string | null;
  javascript: string | null;
  formDefinition: unknown;
  activatedAt: number | null;
  archivedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface UiExtensionRecord {
  id: number;
  accountId: string;
  name: string;
  title: string | null;
  description: string | null;
  category: string;
  disabled: boolean;
  showOnComplete: boolean;
  darkModeSafe: boolean;
  versionIds: number[];
  activeVersionId: number | null;
  source: string | null;
  sourceID: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConfigurationItemRecord {
  id: number;
  accountId: string;
  name: string | null;
  label: string | null;
  sourceID: string | null;
}

export interface AsyncQueryRecord {
  id: number;
  accountId: string;
  personId: number;
  /** Unguessable part of the result URL. */
  resultToken: string;
  createdAt: number;
  readyAt: number;
  /** Full `{data: …}` document served once the query is ready. */
  result: unknown;
  resultCount: number;
  errorCount: number;
}

export interface AttachmentRecord {
  key: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedAt: number;
}

/** In-memory records of every account, keyed by numeric id per record type. */
export class SimulatorState {
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl = '';
  readonly providerAccountId: string;
  readonly clock: Clock;
  tokenLifetimeSeconds: number;
  rateLimits: RateLimitSettings;
  asyncResultDelayMs: number;

  readonly accounts = new Map<string, AccountRecord>();
  readonly people = new Map<number, PersonRecord>();
  readonly oauthApplications = new Map<number, OauthApplicationRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly authorizationCodes = new Map<string, AuthorizationCodeRecord>();
  readonly serviceInstances = new Map<number, ServiceInstanceRecord>();
  readonly offerings = new Map<number, OfferingRecord>();
  readonly automationRules = new Map<number, AutomationRuleRecord>();
  readonly appInstances = new Map<number, AppInstanceRecord>();
  readonly webhookPolicies = new Map<number, WebhookPolicyRecord>();
  readonly webhooks = new Map<number, WebhookRecord>();
  readonly uiExtensions = new Map<number, UiExtensionRecord>();
  readonly uiExtensionVersions = new Map<number, UiExtensionVersionRecord>();
  readonly configurationItems = new Map<number, ConfigurationItemRecord>();
  readonly asyncQueries = new Map<number, AsyncQueryRecord>();
  readonly attachments = new Map<string, AttachmentRecord>();

  /** Token requests per client id, counted before faults apply. */
  readonly tokenRequests = new Map<string, number>();
  tokenRequestTotal = 0;

  private readonly sequences = new Map<string, number>();

  constructor(options: {
    providerAccountId: string;
    clock: Clock;
    tokenLifetimeSeconds: number;
    rateLimits: RateLimitSettings;
    asyncResultDelayMs: number;
  }) {
    this.providerAccountId = options.providerAccountId;
    this.clock = options.clock;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    this.rateLimits = options.rateLimits;
    this.asyncResultDelayMs = options.asyncResultDelayMs;
  }

  /** Next numeric id for a record type; ids start at 1 per type, as in Xurrent. */
  nextId(type: string): number {
    const next = (this.sequences.get(type) ?? 0) + 1;
    this.sequences.set(type, next);
    return next;
  }

  /** `127.0.0.1:PORT`, the host part of nodeIDs. */
  get host(): string {
    return new URL(this.baseUrl).host;
  }

  nodeId(type: string, id: number): string {
    return encodeNodeId(this.host, type, id);
  }

  accountUrl(accountId: string): string {
    return `${this.baseUrl}/accounts/${encodeURIComponent(accountId)}`;
  }

  now(): number {
    return this.clock.now();
  }
}
