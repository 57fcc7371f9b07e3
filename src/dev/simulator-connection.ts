import type { RunningSimulator } from '../sim/index.js';
import { resolveConnectionSettings, type ConnectionSettings } from '../xurrent/connection-settings.js';

/**
 * Connection settings of the simulator's provider account, as `XAC_PROVIDER_*` and the
 * custom endpoint variables would give them, with `publicUrl` as the receiver's base URL.
 */
export function simulatorConnectionSettings(simulator: RunningSimulator, publicUrl?: string): ConnectionSettings {
  return resolveConnectionSettings({
    XAC_PROVIDER_ACCOUNT: simulator.providerAccountId,
    XAC_PROVIDER_CLIENT_ID: simulator.providerApplication.clientId,
    XAC_PROVIDER_CLIENT_SECRET: simulator.providerApplication.clientSecret,
    XAC_XURRENT_OAUTH_URL: `${simulator.oauthUrl}/token`,
    XAC_XURRENT_GRAPHQL_URL: simulator.graphqlUrl,
    XAC_XURRENT_ACCOUNT_URL_PATTERN: simulator.accountUrlPattern,
    XAC_PUBLIC_URL: publicUrl,
  });
}
