import { afterEach, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged, secretsChanged, PURGE_SECRETS_RUNBOOK, type CustomerSecrets } from '../../src/index.js';
import type { JobRecord } from '../../src/storage/store.js';
import { waitFor } from '../support/harness.js';
import { startSimRuntime, type SimRuntime } from '../support/sim-runtime.js';

const APP = 'note-dispatcher';

function solution(retainSecretsSeconds: number | undefined, seenAtRemoval: string[]) {
  return defineSolution({
    ...(retainSecretsSeconds === undefined ? {} : { removal: { retainSecretsSeconds } }),
    runbooks: {
      secrets: secretsChanged({ appReferences: [APP] }),
      installed: installationChanged({ event: 'app_instance.create', appReference: APP }, async () => {}),
      removed: installationChanged({ event: 'app_instance.delete', appReference: APP }, async (ctx) => {
        // The secrets are still there while the delete runbooks run.
        seenAtRemoval.push((await ctx.clientCredentialsToken()).clientId);
      }),
    },
  });
}

describe('purge on removal', () => {
  let env: SimRuntime;

  afterEach(async () => {
    await env.close();
  });

  async function finishedJob(runbook: string, customer: string, count = 1): Promise<JobRecord[]> {
    return waitFor(
      async () => {
        const jobs = await env.app.runtime.store.listJobs({ runbook, customerAccountId: customer });
        const done = jobs.filter((job) => job.status === 'succeeded' || job.status === 'failed');
        return done.length >= count ? done.reverse() : undefined;
      },
      15_000,
      `${count} finished ${runbook} jobs of ${customer}`,
    );
  }

  it('deletes secrets after the delete runbooks', async () => {
    const seen: string[] = [];
    env = await startSimRuntime(solution(undefined, seen));
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, customFields: { region: 'eu' }, secrets: { api_token: 'token-1' } });
    await finishedJob('installed', 'wdc');
    const { oauthApplications } = await env.sim.control.appInstance({ customer: 'wdc', offeringReference: APP });
    const clientId = oauthApplications.find((application) => application.grantType === 'client_credentials')?.clientId;

    await env.sim.control.uninstall({ customer: 'wdc', offeringReference: APP });
    const [purge] = await finishedJob(PURGE_SECRETS_RUNBOOK, 'wdc');
    const [removed] = await finishedJob('removed', 'wdc');

    expect(removed).toMatchObject({ status: 'succeeded' });
    expect(seen).toEqual([clientId]);
    expect(purge).toMatchObject({ status: 'succeeded', label: `${APP}@wdc`, deliveryId: removed!.deliveryId });
    expect(purge!.sequence).toBeGreaterThan(removed!.sequence);
    expect(purge!.finishedAt!.getTime()).toBeGreaterThanOrEqual(removed!.finishedAt!.getTime());
    const empty: CustomerSecrets = { secrets: {} };
    expect(await env.app.runtime.secretStore.read('wdc', APP)).toEqual(empty);
    expect(await env.app.runtime.store.getDataKey('wdc', APP)).toBeUndefined();
    expect(await env.app.runtime.store.listSecrets({ customerAccountId: 'wdc' })).toEqual([]);
    const logs = await env.app.runtime.store.getJobLogs(purge!.id);
    expect(logs.map((line) => line.message)).toEqual([`deleted 3 secrets of customer wdc and app ${APP} and destroyed their data key`]);
  });

  it('keeps secrets for the retention time', async () => {
    env = await startSimRuntime(solution(3600, []));
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, secrets: { api_token: 'token-1' } });
    await finishedJob('installed', 'wdc');

    await env.sim.control.uninstall({ customer: 'wdc', offeringReference: APP });
    const [removed] = await finishedJob('removed', 'wdc');

    const [purge] = await env.app.runtime.store.listJobs({ runbook: PURGE_SECRETS_RUNBOOK });
    const delivery = await env.app.runtime.store.getDelivery(removed!.deliveryId);
    expect(purge).toMatchObject({ status: 'queued', runAt: new Date(delivery!.receivedAt.getTime() + 3_600_000) });
    expect((await env.app.runtime.secretStore.read('wdc', APP)).secrets).toEqual({ api_token: 'token-1' });
  });

  it('keeps the secrets of a reinstall', async () => {
    env = await startSimRuntime(solution(2, []));
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, secrets: { api_token: 'old-token', legacy_field: 'old' } });
    await finishedJob('installed', 'wdc');

    await env.sim.control.uninstall({ customer: 'wdc', offeringReference: APP });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, secrets: { api_token: 'new-token' } });
    const reinstalled = await finishedJob('installed', 'wdc', 2);
    const [purge] = await finishedJob(PURGE_SECRETS_RUNBOOK, 'wdc');

    // The purge waited for its retention time, and did not hold the reinstall back meanwhile.
    expect(reinstalled[1]!.sequence).toBeGreaterThan(purge!.sequence);
    expect(reinstalled[1]!.finishedAt!.getTime()).toBeLessThan(purge!.finishedAt!.getTime());
    const stored = await env.app.runtime.secretStore.read('wdc', APP);
    const instance = await env.sim.control.appInstance({ customer: 'wdc', offeringReference: APP });
    expect(stored.secrets).toEqual({ api_token: 'new-token' });
    expect(stored.application?.clientId).toBe(instance.oauthApplications[0]!.clientId);
    expect(await env.app.runtime.store.getDataKey('wdc', APP)).toBeDefined();
    const logs = await env.app.runtime.store.getJobLogs(purge!.id);
    expect(logs.map((line) => line.message)).toEqual([
      `deleted 1 secrets of customer wdc and app ${APP}; kept 3 received after the removal (reinstall) and their data key`,
    ]);
  });
});
