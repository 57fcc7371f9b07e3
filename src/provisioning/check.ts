/**
 * `xac check`: checks that the provider's OAuth application can run and provision apps. It
 * requests a token with the configured credentials, introspects it for its scopes, and names
 * the missing ones with a link to create an application that has them all.
 */
import { accountUrl, type ConnectionSettings } from '../xurrent/connection-settings.js';
import { XurrentCredentialsError } from '../xurrent/errors.js';
import { introspect, oauthApplicationFormLink } from '../xurrent/check.js';
import { requestClientCredentialsToken } from '../xurrent/oauth.js';
import { REQUIRED_PROVIDER_SCOPES, compareScopes, formatScope } from '../xurrent/scopes.js';

/** Name filled in on Xurrent's form for a new OAuth application. */
export const OAUTH_APPLICATION_NAME = 'Xurrent App Connector';

export type ProviderCheck =
  | {
      status: 'rejected';
      /** For example "provider credentials rejected by Xurrent: invalid_client (...)". */
      message: string;
      formLink: string;
    }
  | {
      status: 'inactive';
      formLink: string;
    }
  | {
      status: 'checked';
      granted: string[];
      /** Required scopes the token lacks, as Xurrent writes them: `webhook-policy:CRUD`. */
      missing: string[];
      formLink: string;
    };

/**
 * Runs the check. Rejected credentials and an inactive token are results, not errors;
 * network failures and other HTTP errors are thrown.
 *
 * The token is requested fresh, not taken from the database cache, so that a changed or
 * revoked secret shows up.
 */
export async function checkProvider(
  settings: ConnectionSettings,
  fetchFunction?: typeof globalThis.fetch,
): Promise<ProviderCheck> {
  const formLink = oauthApplicationFormLink(accountUrl(settings, settings.providerAccount), OAUTH_APPLICATION_NAME, REQUIRED_PROVIDER_SCOPES);

  let token: string;
  try {
    const issued = await requestClientCredentialsToken({
      tokenUrl: settings.endpoints.oauthUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      fetch: fetchFunction,
    });
    token = issued.accessToken;
  } catch (error) {
    if (error instanceof XurrentCredentialsError) {
      return { status: 'rejected', message: error.message, formLink };
    }
    throw error;
  }

  const introspection = await introspect({
    introspectUrl: settings.endpoints.introspectUrl,
    token,
    account: settings.providerAccount,
    fetch: fetchFunction,
  });
  if (!introspection.active) {
    return { status: 'inactive', formLink };
  }

  const { missing } = compareScopes(introspection.scopes, REQUIRED_PROVIDER_SCOPES);
  return { status: 'checked', granted: introspection.scopes, missing: missing.map(formatScope), formLink };
}

/** Returns whether the provider application has every required scope. */
export function checkPassed(check: ProviderCheck): boolean {
  return check.status === 'checked' && check.missing.length === 0;
}

export function formatProviderCheck(check: ProviderCheck, settings: ConnectionSettings): string[] {
  const lines = [`Provider account ${settings.providerAccount}, OAuth application ${settings.clientId}, token URL ${settings.endpoints.oauthUrl}`];
  const fix = [
    `Create an OAuth application with the client credentials grant and the required scopes (${REQUIRED_PROVIDER_SCOPES.join(', ')}) here:`,
    `  ${check.formLink}`,
    'then set XAC_PROVIDER_CLIENT_ID and XAC_PROVIDER_CLIENT_SECRET to its credentials.',
  ];

  switch (check.status) {
    case 'rejected':
      return [...lines, `Failed: ${check.message}.`, 'Check XAC_PROVIDER_CLIENT_ID and XAC_PROVIDER_CLIENT_SECRET, or:', ...fix];
    case 'inactive':
      return [...lines, 'Failed: Xurrent reports the new token as inactive.', ...fix];
    case 'checked':
      lines.push(`Granted scopes: ${check.granted.join(', ') || '(none)'}`);
      if (check.missing.length === 0) {
        return [...lines, 'All required scopes are granted.'];
      }
      return [...lines, `Missing scopes: ${check.missing.join(', ')}`, ...fix];
  }
}
