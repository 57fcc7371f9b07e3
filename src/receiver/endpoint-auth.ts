import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RejectionError } from '../errors.js';
import type { EndpointAuth } from '../solution/auth.js';

export interface EndpointRequest {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Compares in constant time, so that response timing does not reveal how much of a key matched. */
function sameText(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(path: string, what: string): RejectionError {
  return new RejectionError('XAC_ENDPOINT_UNAUTHORIZED', `request to /hooks/${path} rejected: ${what}`, 401);
}

/** Checks a request against the endpoint's auth setting; throws a 401 rejection that names what failed. */
export async function authenticateEndpoint(path: string, auth: EndpointAuth, request: EndpointRequest, now: Date): Promise<void> {
  if (auth === 'none') return;

  switch (auth.type) {
    case 'apiKey': {
      const received = firstHeader(request.headers, auth.header);
      if (!received) throw unauthorized(path, `header ${auth.header} is missing; send the API key in it`);
      if (!auth.keys.some((key) => sameText(received, key))) throw unauthorized(path, `the key in header ${auth.header} is not accepted`);
      return;
    }
    case 'basic': {
      const header = firstHeader(request.headers, 'authorization');
      const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i);
      if (!match) throw unauthorized(path, 'an Authorization: Basic header is required');
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      const username = separator >= 0 ? decoded.slice(0, separator) : decoded;
      const password = separator >= 0 ? decoded.slice(separator + 1) : '';
      const userOk = sameText(username, auth.username);
      const passwordOk = sameText(password, auth.password);
      if (!userOk || !passwordOk) throw unauthorized(path, 'the username or password is wrong');
      return;
    }
    case 'hmac':
      verifyStandardWebhookSignature(path, auth.secrets, auth.toleranceSeconds ?? 300, request, now);
      return;
    case 'custom': {
      let accepted: boolean;
      try {
        accepted = await auth.verify({ headers: request.headers, rawBody: request.rawBody });
      } catch (error) {
        throw unauthorized(path, `the custom verify function threw ${error instanceof Error ? error.name : 'a non-Error value'}`);
      }
      if (accepted !== true) throw unauthorized(path, 'the custom verify function rejected it');
      return;
    }
  }
}

/**
 * Verifies the Standard Webhooks scheme: `webhook-signature` contains one or more
 * `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`. A secret given as
 * `whsec_<base64>` is decoded first.
 */
function verifyStandardWebhookSignature(path: string, secrets: string[], toleranceSeconds: number, request: EndpointRequest, now: Date): void {
  const id = firstHeader(request.headers, 'webhook-id');
  const timestamp = firstHeader(request.headers, 'webhook-timestamp');
  const signatures = firstHeader(request.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw unauthorized(path, 'headers webhook-id, webhook-timestamp and webhook-signature are required (Standard Webhooks)');
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized(path, `webhook-timestamp "${timestamp.slice(0, 20)}" is not epoch seconds`);
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) {
    throw unauthorized(path, `webhook-timestamp is ${Math.round(skew)} s away from now, more than the ${toleranceSeconds} s allowed`);
  }

  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), request.rawBody]);
  const received = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .map(([, value]) => Buffer.from(value!, 'base64'));

  for (const secret of secrets) {
    const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
    const expected = createHmac('sha256', key).update(signed).digest();
    if (received.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected))) return;
  }
  throw unauthorized(path, 'no v1 signature in webhook-signature matches the body');
}
