import Fastify from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createAccount, createOauthApplication } from './accounts.js';
import { registerAccountRoutes } from './account-routes.js';
import { registerStorageRoutes } from './attachment-routes.js';
import { systemClock } from './clock.js';
import { SimulatorControl } from './control.js';
import { registerControlRoutes } from './control-routes.js';
import { DeliverySender } from './deliveries.js';
import { FaultRegistry } from './faults.js';
import { registerGraphQLRoute } from './graphql/route.js';
import { registerBodyParsers } from './http.js';
import { registerOauthRoutes } from './oauth.js';
import { createServiceInstance } from './offerings.js';
import { DEFAULT_PROVIDER_SCOPES, DEFAULT_RATE_LIMITS } from './options.js';
import type { SimulatorOptions } from './options.js';
import { RateLimiter } from './rate-limit.js';
import { SimulatorState } from './state.js';
import type { OauthApplicationView } from './views.js';
import { oauthApplicationView } from './views.js';

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Base of the OAuth endpoints: `<url>/oauth` (token, authorize, introspect below it). */
  oauthUrl: string;
  /** The GraphQL endpoint: `<url>/graphql`. */
  graphqlUrl: string;
  /** Account URL pattern for the runtime: `<url>/accounts/{account}`. */
  accountUrlPattern: string;
  /** URL of an account, which is also the `iss` of the JWTs its webhooks send. */
  accountUrl(accountId: string): string;
  providerAccountId: string;
  /** Client credentials application of the provider account, created at start. */
  providerApplication: OauthApplicationView;
  control: SimulatorControl;
  close(): Promise<void>;
}

/** Starts a fake Xurrent on 127.0.0.1: OAuth, GraphQL, webhook deliveries and the control API on one port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const logger: Logger = options.logger ?? pino({ level: 'silent' });
  const state = new SimulatorState({
    providerAccountId: options.providerAccountId ?? 'provider',
    clock: options.clock ?? systemClock,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    asyncResultDelayMs: options.asyncResultDelayMs ?? 1000,
  });
  const faults = new FaultRegistry();
  const sender = new DeliverySender(
    { state, faults, logger: logger.child({ component: 'deliveries' }) },
    { retrySpeedFactor: options.retrySpeedFactor ?? 1, timeoutMs: options.deliveryTimeoutMs ?? 10_000 },
  );
  const rateLimiter = new RateLimiter(state);
  const control = new SimulatorControl({ state, sender, faults, rateLimiter, logger });

  const app = Fastify({ loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger });
  registerBodyParsers(app);
  registerOauthRoutes(app, { state, faults, logger: logger.child({ component: 'oauth' }) });
  registerGraphQLRoute(app, { state, sender, faults, rateLimiter, logger: logger.child({ component: 'graphql' }) });
  registerAccountRoutes(app, { state, logger: logger.child({ component: 'accounts' }) });
  registerStorageRoutes(app, { state, faults });
  registerControlRoutes(app, control);

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('The simulator did not bind a TCP port.');
  state.baseUrl = `http://127.0.0.1:${address.port}`;

  createAccount(state, { id: state.providerAccountId, role: 'provider' });
  createServiceInstance(state, state.providerAccountId, 'App Services');
  const providerApplication = createOauthApplication(state, {
    accountId: state.providerAccountId,
    grantType: 'client_credentials',
    scopes: options.providerScopes ?? DEFAULT_PROVIDER_SCOPES,
    name: 'Provider integration',
  });
  logger.info({ url: state.baseUrl, providerAccountId: state.providerAccountId }, 'simulator started');

  let closed = false;
  return {
    url: state.baseUrl,
    oauthUrl: `${state.baseUrl}/oauth`,
    graphqlUrl: `${state.baseUrl}/graphql`,
    accountUrlPattern: `${state.baseUrl}/accounts/{account}`,
    accountUrl: (accountId: string) => state.accountUrl(accountId),
    providerAccountId: state.providerAccountId,
    providerApplication: oauthApplicationView(state, providerApplication),
    control,
    close: async () => {
      if (closed) return;
      closed = true;
      sender.close();
      await app.close();
      logger.info('simulator stopped');
    },
  };
}
