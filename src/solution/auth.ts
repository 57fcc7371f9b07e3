/** Ways a JSON endpoint for external applications authenticates its callers. */

export interface ApiKeyAuth {
  type: 'apiKey';
  /** Header that carries the key, e.g. `x-api-key`. */
  header: string;
  /** Accepted keys; several allow a rotation without downtime. */
  keys: string[];
}

export interface BasicAuth {
  type: 'basic';
  username: string;
  password: string;
}

/**
 * HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<raw body>` as the Standard Webhooks
 * specification defines it: headers `webhook-id`, `webhook-timestamp` (epoch seconds) and
 * `webhook-signature` (space-separated `v1,<base64>` entries).
 */
export interface HmacAuth {
  type: 'hmac';
  /** Signing secrets, as `whsec_<base64>` or raw text; several allow a rotation. */
  secrets: string[];
  /** Maximum distance between the timestamp and now, in seconds. Default 300. */
  toleranceSeconds?: number;
}

export interface CustomAuthRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface CustomAuth {
  type: 'custom';
  /** Resolves to true when the request is authentic. */
  verify: (request: CustomAuthRequest) => boolean | Promise<boolean>;
}

/** `'none'` must be written out; the server warns about it at start-up. */
export type EndpointAuth = 'none' | ApiKeyAuth | BasicAuth | HmacAuth | CustomAuth;
