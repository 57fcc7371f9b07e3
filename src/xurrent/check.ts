/**
 * Checks of the provider's OAuth application: token introspection, the scopes it
 * lacks, and a link that opens Xurrent's form to create an application with the right
 * scopes.
 */
import { XurrentHttpError } from './errors.js';
import {
  DEFAULT_TIMEOUT_MS,
  excerptBody,
  isRecord,
  parseJson,
  rateLimitedError,
  readBodyText,
  sendRequest,
} from './http.js';
import type { FetchFunction } from './http.js';
import { REQUIRED_PROVIDER_SCOPES, splitScopes } from './scopes.js';

export { REQUIRED_PROVIDER_SCOPES, compareScopes, formatScope, parseScope, splitScopes } from './scopes.js';
export type { MissingScope, ParsedScope, ScopeAction } from './scopes.js';

export interface IntrospectOptions {
  /** For example `https://oauth.xurrent.com/introspect`. */
  introspectUrl: string;
  token: string;
  account: string;
  fetch?: FetchFunction | undefined;
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface IntrospectionResult {
  active: boolean;
  scopes: string[];
}

/**
 * Asks Xurrent whether a token is active and which scopes it has. Xurrent takes a GET
 * with the token in the `Authorization` header, unlike the POST of RFC 7662. A 401 or
 * 403 returns `{ active: false }`. Other failing statuses throw `XurrentHttpError`
 * (400 when the account id is wrong) or `XurrentRateLimitedError`.
 */
export async function introspect(options: IntrospectOptions): Promise<IntrospectionResult> {
  const operation = 'token introspection';
  const response = await sendRequest(
    options.fetch ?? globalThis.fetch,
    operation,
    options.introspectUrl,
    {
      method: 'GET',
      headers: {
        Authorization: `Bearer ${options.token}`,
        'X-Xurrent-Account': options.account,
        Accept: 'application/json',
      },
    },
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  const text = await readBodyText(response, operation, options.introspectUrl);
  const bodyExcerpt = excerptBody(text, [options.token]);

  if (response.status === 401 || response.status === 403) {
    return { active: false, scopes: [] };
  }
  const now = options.now ?? Date.now;
  const rateLimited = rateLimitedError(operation, response, bodyExcerpt, now());
  if (rateLimited !== undefined) {
    throw rateLimited;
  }
  if (!response.ok) {
    throw new XurrentHttpError(operation, response.status, bodyExcerpt);
  }

  const json = parseJson(text);
  if (!isRecord(json)) {
    throw new XurrentHttpError(operation, response.status, bodyExcerpt, 'the body is not a JSON object');
  }
  return { active: json.active === true, scopes: readScopes(json) };
}

/** Reads `scopes` (a list, as Xurrent sends it) or `scope` (a string, as RFC 7662 has it). */
function readScopes(json: Record<string, unknown>): string[] {
  const value = json.scopes ?? json.scope;
  if (typeof value === 'string') {
    return splitScopes(value);
  }
  if (Array.isArray(value)) {
    return value.filter((scope): scope is string => typeof scope === 'string');
  }
  return [];
}

/** Xurrent's limit on the name of an OAuth application created from a link. */
const MAX_APPLICATION_NAME_LENGTH = 128;

/**
 * Returns the link to Xurrent's form for a new OAuth application with the client
 * credentials grant, the given name and scopes filled in. Throws `RangeError` when the
 * name is empty or longer than 128 characters.
 */
export function oauthApplicationFormLink(
  accountUrl: string,
  name: string,
  scopes: readonly string[] = REQUIRED_PROVIDER_SCOPES,
): string {
  if (name.trim() === '' || name.length > MAX_APPLICATION_NAME_LENGTH) {
    throw new RangeError(
      `OAuth application name must have 1 to ${MAX_APPLICATION_NAME_LENGTH} characters, got ${name.length}`,
    );
  }

  const query = [
    `name=${encodeURIComponent(name)}`,
    `scopes=${encodeURIComponent(scopes.join(','))}`,
    'grant_type=client_credentials',
  ].join('&');
  return `${accountUrl.replace(/\/+$/, '')}/oauth_applications/new?${query}`;
}
