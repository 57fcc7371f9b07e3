/**
 * Xurrent endpoints per stage and region, and custom endpoints for a simulator or a
 * private installation.
 *
 * Every Xurrent environment has one domain per stage and region (for example
 * `us.xurrent.com`). Services are host prefixes on that domain: `oauth.` for tokens,
 * `graphql.` for GraphQL, `api.` for REST, and `<account id>.` for the web UI, whose
 * URL is also the account's identity (the `iss` of webhook JWTs).
 */

export const XURRENT_STAGES = ['production', 'qa', 'demo'] as const;
export type XurrentStage = (typeof XURRENT_STAGES)[number];

export const XURRENT_REGIONS = ['au', 'ch', 'uk', 'us'] as const;
export type XurrentRegion = (typeof XURRENT_REGIONS)[number];

/** Placeholder for the account id in `accountUrlPattern`. */
export const ACCOUNT_PLACEHOLDER = '{account}';

export interface XurrentEndpoints {
  /** Undefined for custom endpoints. */
  stage: XurrentStage | undefined;
  /** Undefined for the global domain and for custom endpoints. */
  region: XurrentRegion | undefined;
  /** For example `xurrent.com` or `us.4me.com`. Undefined for custom endpoints. */
  domain: string | undefined;
  /** OAuth token endpoint, ending in `/token`. */
  oauthUrl: string;
  authorizeUrl: string;
  introspectUrl: string;
  graphqlUrl: string;
  /** REST API base, `https://api.<domain>/v1`. Undefined for custom endpoints without one. */
  restUrl: string | undefined;
  /** Account web URL with `{account}` in place of the account id. */
  accountUrlPattern: string;
  /** Settings that were accepted but ignored, for example a region on the demo stage. */
  warnings: string[];
}

export interface StageEndpointOptions {
  stage: XurrentStage;
  region?: XurrentRegion | undefined;
  /** Use the 4me domains (4me.com, 4me.qa, 4me-demo.com) that older accounts still use. */
  legacy?: boolean | undefined;
}

const STAGE_DOMAINS: Record<XurrentStage, { current: string; legacy: string }> = {
  production: { current: 'xurrent.com', legacy: '4me.com' },
  qa: { current: 'xurrent.qa', legacy: '4me.qa' },
  demo: { current: 'xurrent-demo.com', legacy: '4me-demo.com' },
};

/** Returns the endpoints of a Xurrent stage, on the regional domain when a region is given. */
export function stageEndpoints(options: StageEndpointOptions): XurrentEndpoints {
  const { stage, legacy = false } = options;
  const baseDomain = legacy ? STAGE_DOMAINS[stage].legacy : STAGE_DOMAINS[stage].current;
  const warnings: string[] = [];

  let region = options.region;
  if (stage === 'demo' && region !== undefined) {
    warnings.push(`region "${region}" is ignored because the demo stage has only the global domain ${baseDomain}`);
    region = undefined;
  }

  const domain = region === undefined ? baseDomain : `${region}.${baseDomain}`;
  return {
    stage,
    region,
    domain,
    oauthUrl: `https://oauth.${domain}/token`,
    authorizeUrl: `https://oauth.${domain}/authorize`,
    introspectUrl: `https://oauth.${domain}/introspect`,
    graphqlUrl: `https://graphql.${domain}/`,
    restUrl: `https://api.${domain}/v1`,
    accountUrlPattern: `https://${ACCOUNT_PLACEHOLDER}.${domain}`,
    warnings,
  };
}

export interface CustomEndpointOptions {
  /** Token endpoint. Its path must end in `/token` unless both derived URLs are given. */
  oauthUrl: string;
  graphqlUrl: string;
  /** For example `http://127.0.0.1:4000/accounts/{account}`. */
  accountUrlPattern: string;
  /** Defaults to the OAuth URL with its final `/token` segment replaced by `/introspect`. */
  introspectUrl?: string | undefined;
  /** Defaults to the OAuth URL with its final `/token` segment replaced by `/authorize`. */
  authorizeUrl?: string | undefined;
  restUrl?: string | undefined;
  /**
   * Accept plain http for hosts other than loopback. Off by default, because the
   * client secret and access tokens travel in these requests.
   */
  allowInsecureHttp?: boolean | undefined;
}

/**
 * Validates a set of custom endpoints and derives the authorize and introspect URLs.
 * Throws `InvalidEndpointError` naming the option at fault.
 *
 * The derivation replaces the final path segment, so a simulator that serves
 * `http://127.0.0.1:4000/oauth/token` gets `/oauth/introspect`, and
 * `https://oauth.example.com/token` gets `/introspect` on the same host.
 */
export function customEndpoints(options: CustomEndpointOptions): XurrentEndpoints {
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  const oauthUrl = checkEndpointUrl('oauthUrl', options.oauthUrl, allowInsecureHttp);
  const graphqlUrl = checkEndpointUrl('graphqlUrl', options.graphqlUrl, allowInsecureHttp);
  const accountUrlPattern = checkAccountUrlPattern(options.accountUrlPattern, allowInsecureHttp);

  const introspectUrl =
    options.introspectUrl === undefined
      ? siblingOfTokenUrl(oauthUrl, 'introspect', 'introspectUrl')
      : checkEndpointUrl('introspectUrl', options.introspectUrl, allowInsecureHttp);
  const authorizeUrl =
    options.authorizeUrl === undefined
      ? siblingOfTokenUrl(oauthUrl, 'authorize', 'authorizeUrl')
      : checkEndpointUrl('authorizeUrl', options.authorizeUrl, allowInsecureHttp);
  const restUrl =
    options.restUrl === undefined ? undefined : checkEndpointUrl('restUrl', options.restUrl, allowInsecureHttp);

  return {
    stage: undefined,
    region: undefined,
    domain: undefined,
    oauthUrl,
    authorizeUrl,
    introspectUrl,
    graphqlUrl,
    restUrl,
    accountUrlPattern,
    warnings: [],
  };
}

/** A custom endpoint URL that cannot be used. `option` names the `CustomEndpointOptions` field. */
export class InvalidEndpointError extends Error {
  constructor(
    readonly option: keyof CustomEndpointOptions,
    readonly problem: string,
  ) {
    super(`${option} ${problem}`);
    this.name = 'InvalidEndpointError';
  }
}

/** Account ids are DNS labels: letters, digits and hyphens (for example `wdc` or `globalnet-it`). */
const ACCOUNT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isValidAccountId(accountId: string): boolean {
  return ACCOUNT_ID_PATTERN.test(accountId);
}

/**
 * Returns the web URL of an account, for example `https://wdc.xurrent.com`. Throws
 * `RangeError` for an account id that is not a DNS label, so that an id taken from a
 * payload cannot change the host.
 */
export function accountUrl(endpoints: Pick<XurrentEndpoints, 'accountUrlPattern'>, accountId: string): string {
  if (!isValidAccountId(accountId)) {
    throw new RangeError(
      `invalid Xurrent account id ${JSON.stringify(accountId)}: use letters, digits and hyphens only`,
    );
  }
  return endpoints.accountUrlPattern.split(ACCOUNT_PLACEHOLDER).join(accountId.toLowerCase());
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function checkEndpointUrl(option: keyof CustomEndpointOptions, value: string, allowInsecureHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidEndpointError(option, `is not a valid URL: ${JSON.stringify(value)}`);
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidEndpointError(option, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new InvalidEndpointError(
      option,
      `must use https (plain http is accepted only for localhost and 127.0.0.1), got ${JSON.stringify(value)}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidEndpointError(option, 'must not contain a user name or password');
  }
  return url.toString();
}

function checkAccountUrlPattern(value: string, allowInsecureHttp: boolean): string {
  if (!value.includes(ACCOUNT_PLACEHOLDER)) {
    throw new InvalidEndpointError(
      'accountUrlPattern',
      `must contain ${ACCOUNT_PLACEHOLDER}, for example "https://${ACCOUNT_PLACEHOLDER}.xurrent.com", got ${JSON.stringify(value)}`,
    );
  }

  // Validate the pattern with a sample id substituted, then keep the caller's text,
  // because URL parsing would lower-case the host and percent-encode the braces.
  checkEndpointUrl('accountUrlPattern', value.split(ACCOUNT_PLACEHOLDER).join('sample'), allowInsecureHttp);
  return value.replace(/\/+$/, '');
}

function siblingOfTokenUrl(
  oauthUrl: string,
  segment: 'introspect' | 'authorize',
  option: 'introspectUrl' | 'authorizeUrl',
): string {
  const url = new URL(oauthUrl);
  if (!/\/token\/?$/.test(url.pathname)) {
    throw new InvalidEndpointError(
      'oauthUrl',
      `must end in /token (for example https://oauth.xurrent.com/token) so that ${option} can be derived from it, got ${JSON.stringify(oauthUrl)}`,
    );
  }

  url.pathname = url.pathname.replace(/\/token\/?$/, `/${segment}`);
  url.search = '';
  url.hash = '';
  return url.toString();
}
