import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, webhookData, type TestRuntime } from '../support/harness.js';

const solution = defineSolution({ runbooks: { installed: installationChanged({ event: 'app_instance.create' }, () => {}) } });
const install = webhookData('app_instance.create', { app_offering: { reference: 'app' }, customer_account_id: 'wdc' });

describe('delivery durability', () => {
  const dirs: string[] = [];
  let runtime: TestRuntime | undefined;

  afterEach(async () => {
    await runtime?.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('remembers a replayed jti across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xac-replay-'));
    dirs.push(dir);
    const signer = await createSigner();
    runtime = await startRuntime(solution, { dir, worker: false });
    await storeProviderPolicy(runtime, signer);
    const jwt = await signer.sign(install);
    expect((await deliver(`${runtime.url}/xurrent/installations`, jwt)).body.duplicate).toBe(false);
    await runtime.close();

    runtime = await startRuntime(solution, { dir, worker: false, keyRing: runtime.keyRing });
    const replay = await deliver(`${runtime.url}/xurrent/installations`, jwt);
    expect(replay.status).toBe(200);
    expect(replay.body.duplicate).toBe(true);
    expect(await runtime.app.runtime.store.listJobs()).toHaveLength(1);
  });

  it('does not acknowledge when the store fails', async () => {
    const signer = await createSigner();
    runtime = await startRuntime(solution, { worker: false });
    await storeProviderPolicy(runtime, signer);
    const policy = await runtime.app.runtime.store.getProviderPolicy();
    // Serve the policy from memory, then break the database under the receiver.
    runtime.app.runtime.store.getProviderPolicy = async () => policy;
    runtime.app.runtime.store.recordDelivery = async () => {
      throw new Error('disk I/O error');
    };
    const result = await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(install));
    expect(result.status).toBe(500);
    expect(result.body.error).toBe('XAC_INTERNAL_ERROR');
    expect(JSON.stringify(result.body)).not.toContain('disk I/O');
  });
});
