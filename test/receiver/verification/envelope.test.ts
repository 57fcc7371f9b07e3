import { describe, expect, it } from 'vitest';

import { parseEnvelope } from '../../../src/receiver/verification/envelope.js';
import { expectCode } from './helpers.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln';

describe('parseEnvelope', () => {
  it('returns the jwt of a string body', () => {
    expect(parseEnvelope(JSON.stringify({ jwt: JWT }))).toBe(JWT);
  });

  it('returns the jwt of a Buffer body', () => {
    expect(parseEnvelope(Buffer.from(JSON.stringify({ jwt: JWT }), 'utf8'))).toBe(JWT);
  });

  it('ignores a byte order mark', () => {
    expect(parseEnvelope(`\uFEFF${JSON.stringify({ jwt: JWT })}`)).toBe(JWT);
  });

  it('ignores other properties', () => {
    expect(parseEnvelope(JSON.stringify({ other: 1, jwt: JWT }))).toBe(JWT);
  });

  it('rejects text that is not JSON', async () => {
    const error = await expectCode(() => parseEnvelope('not json'), 'XAC_ENVELOPE_NOT_JSON');
    expect(error.status).toBe(400);
  });

  it('rejects an empty body', async () => {
    await expectCode(() => parseEnvelope(''), 'XAC_ENVELOPE_NOT_JSON');
  });

  it('rejects a JSON array', async () => {
    const error = await expectCode(() => parseEnvelope(JSON.stringify([JWT])), 'XAC_ENVELOPE_NOT_OBJECT');
    expect(error.message).toBe('Webhook request body is an array, not a JSON object. Xurrent sends {"jwt": "<token>"}.');
  });

  it('rejects JSON null', async () => {
    await expectCode(() => parseEnvelope('null'), 'XAC_ENVELOPE_NOT_OBJECT');
  });

  it('rejects a JSON string', async () => {
    await expectCode(() => parseEnvelope(JSON.stringify(JWT)), 'XAC_ENVELOPE_NOT_OBJECT');
  });

  it('rejects a body without jwt', async () => {
    const error = await expectCode(() => parseEnvelope(JSON.stringify({ webhook_id: 1 })), 'XAC_ENVELOPE_JWT_MISSING');
    expect(error.message).toContain('attach a policy to the webhook');
    expect(error.status).toBe(400);
  });

  it('rejects an empty jwt', async () => {
    await expectCode(() => parseEnvelope(JSON.stringify({ jwt: '' })), 'XAC_ENVELOPE_JWT_MISSING');
  });

  it('rejects an object jwt', async () => {
    const error = await expectCode(() => parseEnvelope(JSON.stringify({ jwt: { alg: 'none' } })), 'XAC_ENVELOPE_JWT_NOT_STRING');
    expect(error.message).toContain('"jwt" is an object, not a string');
  });

  it('rejects a null jwt', async () => {
    const error = await expectCode(() => parseEnvelope(JSON.stringify({ jwt: null })), 'XAC_ENVELOPE_JWT_NOT_STRING');
    expect(error.message).toContain('"jwt" is null');
  });

  it('does not check the token', () => {
    expect(parseEnvelope(JSON.stringify({ jwt: 'anything' }))).toBe('anything');
  });
});
