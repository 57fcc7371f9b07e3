export {
  ACCOUNT_PLACEHOLDER,
  InvalidEndpointError,
  XURRENT_REGIONS,
  XURRENT_STAGES,
  customEndpoints,
  isValidAccountId,
  stageEndpoints,
} from './environments.js';
export type {
  CustomEndpointOptions,
  StageEndpointOptions,
  XurrentEndpoints,
  XurrentRegion,
  XurrentStage,
} from './environments.js';

export { CONNECTION_ENV_VARS, accountUrl, resolveConnectionSettings } from './connection-settings.js';
export type { ConnectionSettings, XurrentFileConfig } from './connection-settings.js';

export {
  XurrentConfigError,
  XurrentCredentialsError,
  XurrentError,
  XurrentGraphqlError,
  XurrentHttpError,
  XurrentMutationError,
  XurrentNetworkError,
  XurrentNotFoundError,
  XurrentRateLimitedError,
  XurrentTokenResponseError,
} from './errors.js';
export type { GraphqlErrorEntry, MutationErrorEntry, XurrentErrorCode } from './errors.js';

export type { FetchFunction } from './http.js';
export { DEFAULT_RETRY_AFTER_SECONDS, parseRetryAfter } from './retry-after.js';

export { DEFAULT_EXPIRES_IN_SECONDS, requestClientCredentialsToken } from './oauth.js';
export type { CachedToken, ClientCredentialsRequest } from './oauth.js';
export { ClientCredentialsTokenSource, InMemoryTokenPersistence, tokenCacheKey } from './token-cache.js';
export type { ClientCredentialsTokenSourceOptions, TokenPersistence, TokenSource } from './token-cache.js';

export { DEFAULT_MAX_WAIT_MS, XurrentGraphqlClient } from './graphql-client.js';
export type { GraphqlVariables, QueryOptions, XurrentGraphqlClientOptions, XurrentLogger } from './graphql-client.js';
export type { CostLimit, RateLimitSnapshot, RequestLimit } from './rate-limit.js';

export {
  REQUIRED_PROVIDER_SCOPES,
  compareScopes,
  formatScope,
  introspect,
  oauthApplicationFormLink,
  parseScope,
  splitScopes,
} from './check.js';
export type { IntrospectOptions, IntrospectionResult, MissingScope, ParsedScope, ScopeAction } from './check.js';
