import { VerificationError } from './errors.js';

/**
 * Extracts the compact JWS from a webhook request body of the form `{"jwt": "<compact JWS>"}`,
 * which is how Xurrent sends a delivery when the webhook has a webhook policy.
 *
 * Only the envelope is parsed. The token is returned as received, and its payload stays
 * undecoded until `verifyDelivery` has checked the signature.
 */
export function parseEnvelope(body: string | Buffer): string {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VerificationError(
      'XAC_ENVELOPE_NOT_JSON',
      'Webhook request body is not valid JSON. Xurrent sends {"jwt": "<token>"} with Content-Type application/json, ' +
        'so check that nothing between Xurrent and this receiver rewrites the body.',
    );
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VerificationError(
      'XAC_ENVELOPE_NOT_OBJECT',
      `Webhook request body is ${describeJsonType(parsed)}, not a JSON object. Xurrent sends {"jwt": "<token>"}.`,
    );
  }

  if (!Object.hasOwn(parsed, 'jwt')) {
    throw new VerificationError(
      'XAC_ENVELOPE_JWT_MISSING',
      'Webhook request body has no "jwt" property. Xurrent wraps a delivery in {"jwt": "<token>"} only when the ' +
        'webhook has a webhook policy, so attach a policy to the webhook in Xurrent.',
    );
  }

  const jwt: unknown = (parsed as { jwt: unknown }).jwt;
  if (typeof jwt !== 'string') {
    throw new VerificationError(
      'XAC_ENVELOPE_JWT_NOT_STRING',
      `Webhook request body property "jwt" is ${describeJsonType(jwt)}, not a string. Xurrent sends the token as a compact JWS string.`,
    );
  }

  if (jwt === '') {
    throw new VerificationError(
      'XAC_ENVELOPE_JWT_MISSING',
      'Webhook request body property "jwt" is an empty string. Xurrent sends the token as a compact JWS string.',
    );
  }
  return jwt;
}

function describeJsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
