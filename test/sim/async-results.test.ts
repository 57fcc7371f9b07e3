import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { graphql, providerToken } from './helpers.js';

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ asyncResultDelayMs: 60_000, rateLimits: { burstRequests: 1000 } });
  token = await providerToken(sim);
});

afterAll(async () => {
  await sim.close();
});

const SUBMIT = `mutation($assets: [JSON!]) { discoveredConfigurationItems(input: { source: "lansweeper", physicalAssets: $assets }) {
  errors { path message } asyncQuery { id status resultUrl } configurationItems { id } } }`;

describe('discoveredConfigurationItems', () => {
  it('serves {} until ready, then the result', async () => {
    const response = await graphql(sim, token, SUBMIT, {
      assets: [{ configurationItems: [{ sourceID: 'ci-1', name: 'Laptop 1' }, { name: 'no source id' }] }],
    });
    const payload = response.body.data?.discoveredConfigurationItems as {
      asyncQuery: { status: string; resultUrl: string };
      configurationItems: unknown;
      errors: unknown[];
    };

    const pending = await (await fetch(payload.asyncQuery.resultUrl)).json();
    await sim.control.completeAsyncQueries();
    const ready = (await (await fetch(payload.asyncQuery.resultUrl)).json()) as {
      data: { discoveredConfigurationItems: Record<string, unknown> };
    };

    expect(payload.asyncQuery.status).toBe('queued');
    expect(payload.configurationItems).toBeNull();
    expect(payload.errors).toEqual([]);
    expect(pending).toEqual({});
    expect(ready.data.discoveredConfigurationItems).toEqual({
      asyncQuery: expect.objectContaining({ status: 'completed', resultCount: 1, errorCount: 1, resultUrl: payload.asyncQuery.resultUrl }),
      configurationItems: [{ id: expect.any(String), sourceID: 'ci-1', name: 'Laptop 1', label: null }],
      errors: [{ path: ['physicalAssets', '0', 'configurationItems', '1', 'sourceID'], message: "can't be blank" }],
    });
  });

  it('applies faults to the result url', async () => {
    const response = await graphql(sim, token, SUBMIT, { assets: [] });
    const url = (response.body.data?.discoveredConfigurationItems as { asyncQuery: { resultUrl: string } }).asyncQuery.resultUrl;
    await sim.control.addFault({ target: 'asyncResult', fault: { kind: 'status', status: 503 } });

    const faulted = await fetch(url);
    const next = await fetch(url);

    expect(faulted.status).toBe(503);
    expect(next.status).toBe(200);
  });

  it('answers 404 for an unknown result url', async () => {
    const response = await fetch(`${sim.url}/async_results/unknown.json`);

    expect(response.status).toBe(404);
  });
});

describe('attachment upload', () => {
  it('returns the key for a multipart upload', async () => {
    const storage = await graphql(sim, token, '{ attachmentStorage { uploadUri provider providerParameters sizeLimit } }');
    const settings = storage.body.data?.attachmentStorage as { uploadUri: string; providerParameters: Record<string, string> };
    const form = new FormData();
    for (const [name, value] of Object.entries(settings.providerParameters)) form.append(name, value);
    form.append('Content-Type', 'image/png');
    form.append('file', new Blob([Buffer.from('png-bytes')], { type: 'image/png' }), 'logo.png');

    const response = await fetch(settings.uploadUri, { method: 'POST', body: form });
    const body = (await response.json()) as { key: string };

    expect(response.status).toBe(200);
    expect(body.key).toBe(settings.providerParameters.key?.replace('${filename}', 'logo.png'));
  });

  it('accepts a raw upload', async () => {
    const response = await fetch(`${sim.url}/attachments?filename=notes.txt`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    const body = (await response.json()) as { key: string };

    expect(response.status).toBe(200);
    expect(body.key).toMatch(/^attachments\/[0-9a-f-]{36}\/notes\.txt$/);
  });
});
