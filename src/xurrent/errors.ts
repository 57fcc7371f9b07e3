/**
 * Errors raised by the Xurrent client. Each class has a stable `code` and a
 * `retryable` flag, which is true when the same call can succeed later without a
 * change of configuration.
 */

export type XurrentErrorCode =
  | 'XURRENT_CONFIG_INVALID'
  | 'XURRENT_NETWORK_ERROR'
  | 'XURRENT_HTTP_ERROR'
  | 'XURRENT_CREDENTIALS_REJECTED'
  | 'XURRENT_TOKEN_RESPONSE_INVALID'
  | 'XURRENT_RATE_LIMITED'
  | 'XURRENT_GRAPHQL_ERROR'
  | 'XURRENT_NOT_FOUND'
  | 'XURRENT_MUTATION_ERROR';

export abstract class XurrentError extends Error {
  abstract readonly code: XurrentErrorCode;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid connection settings. `issues` lists each problem with its fix. */
export class XurrentConfigError extends XurrentError {
  readonly code = 'XURRENT_CONFIG_INVALID';
  readonly retryable = false;

  constructor(readonly issues: readonly string[]) {
    super(`invalid Xurrent connection settings:\n- ${issues.join('\n- ')}`);
  }
}

/** A request that got no HTTP response: connection refused, DNS failure or timeout. */
export class XurrentNetworkError extends XurrentError {
  readonly code = 'XURRENT_NETWORK_ERROR';
  readonly retryable = true;

  constructor(
    readonly operation: string,
    readonly url: string,
    cause: unknown,
    reason: string = describeCause(cause),
  ) {
    super(`${operation} failed: no response from ${url}: ${reason}`, { cause });
  }
}

/**
 * An HTTP status that the client does not handle otherwise. Server errors (5xx) are
 * retryable, but client errors (4xx) are not.
 */
export class XurrentHttpError extends XurrentError {
  readonly code = 'XURRENT_HTTP_ERROR';
  readonly retryable: boolean;

  constructor(
    readonly operation: string,
    readonly status: number,
    readonly bodyExcerpt: string,
    detail?: string,
    retryable?: boolean,
  ) {
    const suffix = bodyExcerpt === '' ? '' : `: ${bodyExcerpt}`;
    super(`${operation} failed with HTTP ${status}${detail === undefined ? '' : ` (${detail})`}${suffix}`);
    this.retryable = retryable ?? status >= 500;
  }
}

/**
 * The token endpoint rejected the client id or secret. Retrying cannot help until
 * someone fixes the credentials.
 */
export class XurrentCredentialsError extends XurrentError {
  readonly code = 'XURRENT_CREDENTIALS_REJECTED';
  readonly retryable = false;

  constructor(
    /** Whose credentials these are, for example "provider" or "customer wdc/app phone". */
    readonly label: string,
    readonly status: number,
    /** The OAuth error code (RFC 6749 section 5.2), or undefined when the body has none. */
    readonly oauthError: string | undefined,
    readonly oauthErrorDescription: string | undefined,
  ) {
    const reason = oauthError ?? `HTTP ${status}`;
    const description = oauthErrorDescription === undefined ? '' : ` (${oauthErrorDescription})`;
    super(`${label} credentials rejected by Xurrent: ${reason}${description}`);
  }
}

/** A 2xx token response without a usable bearer token. */
export class XurrentTokenResponseError extends XurrentError {
  readonly code = 'XURRENT_TOKEN_RESPONSE_INVALID';
  readonly retryable = false;

  constructor(tokenUrl: string, problem: string) {
    super(`invalid token response from ${tokenUrl}: ${problem}`);
  }
}

/**
 * Xurrent responded with 429 (rate or cost limit reached) or 503 (overloaded or in
 * maintenance). `retryAfterSeconds` comes from the `Retry-After` header, or is 60 when
 * the header is missing or unusable.
 */
export class XurrentRateLimitedError extends XurrentError {
  readonly code = 'XURRENT_RATE_LIMITED';
  readonly retryable = true;

  constructor(
    readonly operation: string,
    readonly status: number,
    readonly retryAfterSeconds: number,
    readonly bodyExcerpt: string,
  ) {
    const reason = status === 429 ? 'Xurrent rate limit reached' : 'Xurrent API unavailable';
    const suffix = bodyExcerpt === '' ? '' : `: ${bodyExcerpt}`;
    super(`${operation} failed with HTTP ${status} (${reason}, retry after ${retryAfterSeconds} s)${suffix}`);
  }
}

/** One entry of the top-level `errors` list of a GraphQL response. */
export interface GraphqlErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
}

/** Top-level GraphQL errors, or a response without data. */
export class XurrentGraphqlError extends XurrentError {
  readonly code: XurrentErrorCode = 'XURRENT_GRAPHQL_ERROR';
  readonly retryable = false;

  constructor(
    readonly operation: string,
    readonly errors: readonly GraphqlErrorEntry[],
    message?: string,
  ) {
    super(message ?? `${operation} failed: ${errors.map((error) => error.message).join('; ')}`);
  }
}

/** Every top-level error is "Not Found", for example when updating a deleted record. */
export class XurrentNotFoundError extends XurrentGraphqlError {
  override readonly code = 'XURRENT_NOT_FOUND';
}

/** One entry of a mutation payload's `errors` list. */
export interface MutationErrorEntry {
  /** A list of field names in the schema. Some responses send one dotted string instead. */
  path: readonly string[] | string | null;
  message: string;
}

/** A mutation payload with validation errors, for example "webhookUpdate failed: uri: is invalid". */
export class XurrentMutationError extends XurrentError {
  readonly code = 'XURRENT_MUTATION_ERROR';
  readonly retryable = false;

  constructor(
    readonly mutationName: string,
    readonly errors: readonly MutationErrorEntry[],
  ) {
    super(`${mutationName} failed: ${errors.map(formatMutationError).join('; ')}`);
  }
}

function formatMutationError(error: MutationErrorEntry): string {
  const path = Array.isArray(error.path) ? error.path.join('.') : (error.path ?? '');
  return path === '' ? error.message : `${path}: ${error.message}`;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) {
    return String(cause);
  }

  // undici reports "fetch failed" and puts the socket error (ECONNREFUSED, ...) in `cause`.
  const inner = cause.cause;
  if (inner instanceof Error && inner.message !== '') {
    return `${cause.message}: ${inner.message}`;
  }
  return cause.message;
}
