import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { OauthApplicationCredentials } from '../solution/context.js';
import type { Store } from '../storage/store.js';
import type { ConnectionSettings } from '../xurrent/connection-settings.js';
import type { XurrentRateLimitedError } from '../xurrent/errors.js';
import { XurrentGraphqlClient } from '../xurrent/graphql-client.js';
import { ClientCredentialsTokenSource, type TokenSource } from '../xurrent/token-cache.js';
import { PROVIDER_PAIR, StoredTokenPersistence } from './token-persistence.js';

export interface ClientOptions {
  /** Called on 429 and 503; inside a job it throws a backoff so the job is rescheduled. */
  onRateLimited?: (error: XurrentRateLimitedError) => void;
  logger?: Logger;
}

/**
 * The runtime's link to Xurrent: the provider's OAuth credentials and endpoints, and token
 * sources per OAuth application, shared by all jobs of the process so that they share tokens.
 */
export class XurrentConnection {
  private readonly tokenSources = new Map<string, { source: ClientCredentialsTokenSource; secretDigest: string }>();

  constructor(
    readonly settings: ConnectionSettings,
    private readonly store: Store,
    private readonly secretStore: SecretStore,
    private readonly fetchFunction?: typeof globalThis.fetch,
  ) {}

  /** Returns a GraphQL client of the provider account, authenticated with the provider's credentials. */
  provider(options: ClientOptions = {}): XurrentGraphqlClient {
    return this.client(this.settings.providerAccount, this.providerTokenSource(), options);
  }

  /** Access tokens of the provider account, shared with `provider()` clients. */
  providerTokenSource(): TokenSource {
    return this.tokenSource(this.settings.clientId, this.settings.clientSecret, PROVIDER_PAIR, 'provider');
  }

  /**
   * True when the URL is on the origin of the GraphQL, OAuth or REST endpoint, the only hosts
   * that may receive the provider's access token.
   */
  isXurrentOrigin(url: string | URL): boolean {
    const { endpoints } = this.settings;
    const origins = [endpoints.graphqlUrl, endpoints.oauthUrl, endpoints.restUrl].filter((value): value is string => value !== undefined);
    const origin = new URL(url).origin;
    return origins.some((endpoint) => new URL(endpoint).origin === origin);
  }

  /** Returns a GraphQL client of a customer account, authenticated with the app's client credentials application there. */
  customer(customerAccountId: string, appReference: string, application: OauthApplicationCredentials, options: ClientOptions = {}): XurrentGraphqlClient {
    const tokenSource = this.tokenSource(
      application.clientId,
      application.clientSecret,
      { customerAccountId, appReference },
      `customer ${customerAccountId} app ${appReference}`,
    );
    return this.client(customerAccountId, tokenSource, options);
  }

  private client(account: string, tokenSource: TokenSource, options: ClientOptions): XurrentGraphqlClient {
    return new XurrentGraphqlClient({
      graphqlUrl: this.settings.endpoints.graphqlUrl,
      account,
      tokenSource,
      ...(this.fetchFunction ? { fetch: this.fetchFunction } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
    });
  }

  private tokenSource(
    clientId: string,
    clientSecret: string,
    pair: { customerAccountId: string; appReference: string },
    label: string,
  ): ClientCredentialsTokenSource {
    const cacheKey = `${pair.customerAccountId}/${pair.appReference}/${clientId}`;
    const secretDigest = createHash('sha256').update(clientSecret).digest('hex');
    const cached = this.tokenSources.get(cacheKey);
    // A new secret for the same client id (Xurrent regenerated it) needs a new source.
    if (cached && cached.secretDigest === secretDigest) return cached.source;

    const source = new ClientCredentialsTokenSource({
      tokenUrl: this.settings.endpoints.oauthUrl,
      clientId,
      clientSecret,
      credentialsLabel: label,
      persistence: new StoredTokenPersistence({ store: this.store, secretStore: this.secretStore, pair }),
      ...(this.fetchFunction ? { fetch: this.fetchFunction } : {}),
    });
    this.tokenSources.set(cacheKey, { source, secretDigest });
    return source;
  }
}
