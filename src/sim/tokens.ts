import { randomUrlToken } from './ids.js';
import type { AccessTokenRecord, OauthApplicationRecord, RefreshTokenRecord, SimulatorState } from './state.js';

const REFRESH_TOKEN_LIFETIME_MS = 14 * 24 * 3600 * 1000;

export interface IssuedTokens {
  access: AccessTokenRecord;
  refresh: RefreshTokenRecord | null;
}

/** Issues an access token (and a refresh token for the authorization code grant). */
export function issueTokens(
  state: SimulatorState,
  application: OauthApplicationRecord,
  options: { withRefreshToken: boolean; authorizationCode: string | null },
): IssuedTokens {
  const now = state.now();
  const access: AccessTokenRecord = {
    token: randomUrlToken(32),
    applicationId: application.id,
    accountId: application.accountId,
    scopes: [...application.scopes],
    expiresAt: now + state.tokenLifetimeSeconds * 1000,
    authorizationCode: options.authorizationCode,
    revoked: false,
  };
  state.accessTokens.set(access.token, access);
  let refresh: RefreshTokenRecord | null = null;
  if (options.withRefreshToken) {
    refresh = {
      token: randomUrlToken(32),
      applicationId: application.id,
      expiresAt: now + REFRESH_TOKEN_LIFETIME_MS,
      authorizationCode: options.authorizationCode,
      revoked: false,
    };
    state.refreshTokens.set(refresh.token, refresh);
  }
  return { access, refresh };
}

/** Returns the access token record when the token is known, unexpired, unrevoked and its application enabled. */
export function findActiveToken(state: SimulatorState, token: string | undefined): AccessTokenRecord | undefined {
  if (token === undefined) return undefined;
  const record = state.accessTokens.get(token);
  if (!record || record.revoked || record.expiresAt <= state.now()) return undefined;
  const application = state.oauthApplications.get(record.applicationId);
  if (!application || application.disabled) return undefined;
  return record;
}

/** Revokes every token that came from an authorization code, after the code was used twice. */
export function revokeTokensOfCode(state: SimulatorState, code: string): void {
  for (const token of state.accessTokens.values()) {
    if (token.authorizationCode === code) token.revoked = true;
  }
  for (const token of state.refreshTokens.values()) {
    if (token.authorizationCode === code) token.revoked = true;
  }
}
