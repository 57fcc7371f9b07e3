import { SimError } from './errors.js';
import { randomAlphanumeric } from './ids.js';
import type { AccountRecord, GrantType, OauthApplicationRecord, PersonRecord, SimulatorState } from './state.js';
import { splitScopes } from './scopes.js';

const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Creates an account with one person that acts in it. */
export function createAccount(
  state: SimulatorState,
  input: { id: string; name?: string; role: 'provider' | 'customer' },
): AccountRecord {
  if (!ACCOUNT_ID_PATTERN.test(input.id)) {
    throw new SimError(
      'SIM_INVALID_ARGUMENT',
      `Invalid account id '${input.id}': use lower-case letters, digits and hyphens, starting with a letter or digit.`,
    );
  }
  if (state.accounts.has(input.id)) {
    throw new SimError('SIM_CONFLICT', `Account '${input.id}' already exists; pick another id.`);
  }
  const person: PersonRecord = {
    id: state.nextId('Person'),
    accountId: input.id,
    name: input.role === 'provider' ? 'Howard Tanner' : 'Tom Waters',
  };
  state.people.set(person.id, person);
  const account: AccountRecord = {
    id: input.id,
    name: input.name ?? defaultAccountName(input.id),
    role: input.role,
    personId: person.id,
    createdAt: state.now(),
  };
  state.accounts.set(account.id, account);
  return account;
}

export function requireAccount(state: SimulatorState, accountId: string): AccountRecord {
  const account = state.accounts.get(accountId);
  if (!account) {
    throw new SimError(
      'SIM_NOT_FOUND',
      `Account '${accountId}' not found; create it first with createCustomerAccount.`,
    );
  }
  return account;
}

/** Returns the customer account, creating it when it does not exist yet. */
export function ensureCustomerAccount(state: SimulatorState, accountId: string): AccountRecord {
  return state.accounts.get(accountId) ?? createAccount(state, { id: accountId, role: 'customer' });
}

export function createOauthApplication(
  state: SimulatorState,
  input: {
    accountId: string;
    grantType: GrantType;
    scopes: readonly string[] | string;
    redirectUris?: string[];
    name?: string;
    appInstanceId?: number | null;
  },
): OauthApplicationRecord {
  requireAccount(state, input.accountId);
  const application: OauthApplicationRecord = {
    id: state.nextId('OauthApplication'),
    accountId: input.accountId,
    name: input.name ?? `${input.grantType} application`,
    grantType: input.grantType,
    clientId: randomAlphanumeric(48),
    clientSecret: randomAlphanumeric(64),
    scopes: splitScopes(input.scopes),
    redirectUris: input.redirectUris ?? [],
    disabled: false,
    appInstanceId: input.appInstanceId ?? null,
    createdAt: state.now(),
  };
  state.oauthApplications.set(application.id, application);
  return application;
}

/** Deletes an OAuth application and revokes every token issued for it. */
export function deleteOauthApplication(state: SimulatorState, applicationId: number): void {
  state.oauthApplications.delete(applicationId);
  for (const token of state.accessTokens.values()) {
    if (token.applicationId === applicationId) token.revoked = true;
  }
  for (const token of state.refreshTokens.values()) {
    if (token.applicationId === applicationId) token.revoked = true;
  }
}

export function findApplicationByClientId(
  state: SimulatorState,
  clientId: string,
): OauthApplicationRecord | undefined {
  for (const application of state.oauthApplications.values()) {
    if (application.clientId === clientId) return application;
  }
  return undefined;
}

function defaultAccountName(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}
