/**
 * `deprovision`: deletes the webhooks and the webhook policy that provisioning created in
 * the provider account. App offerings are left as they are, because customers' installations
 * depend on them.
 */
import { silentLogger, type Logger } from '../log.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../storage/store.js';
import type { ConnectionSettings } from '../xurrent/connection-settings.js';
import { withProvisioningLock } from './lock.js';
import { managedWebhooks, type Change } from './plan.js';
import { providerApi } from './provision.js';
import { ProvisioningStateStore } from './state.js';

export interface DeprovisionOptions {
  settings: ConnectionSettings;
  store: Store;
  secretStore: SecretStore;
  dryRun?: boolean;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
}

export interface DeprovisionResult {
  dryRun: boolean;
  providerAccount: string;
  /** The deletions made, or in a dry run the deletions a real run would make. */
  changes: Change[];
}

export async function deprovision(options: DeprovisionOptions): Promise<DeprovisionResult> {
  const logger = options.logger ?? silentLogger();
  const dryRun = options.dryRun ?? false;
  const api = providerApi(options, logger);
  const stateStore = new ProvisioningStateStore(options.store, options.secretStore);

  const run = async (): Promise<DeprovisionResult> => {
    const state = await stateStore.read();
    const changes: Change[] = managedWebhooks(await api.listWebhooks(), state).map((webhook) => ({
      kind: 'deleteWebhook',
      webhookId: webhook.id,
      event: webhook.event,
      reason: 'created by xac provision',
    }));
    if (state.policy !== undefined && (await api.findPolicy(state.policy.id)) !== undefined) {
      changes.push({ kind: 'deletePolicy', policyId: state.policy.id, reason: 'created by xac provision' });
    }
    if (dryRun) {
      return { dryRun, providerAccount: options.settings.providerAccount, changes };
    }

    for (const change of changes) {
      if (change.kind === 'deleteWebhook') {
        await api.deleteWebhook(change.webhookId);
        delete state.webhooks[change.webhookId];
        await stateStore.write(state);
        logger.info({ webhookId: change.webhookId, event: change.event }, 'deleted webhook');
      } else if (change.kind === 'deletePolicy') {
        await api.deletePolicy(change.policyId);
        logger.info({ policyId: change.policyId }, 'deleted the provider webhook policy');
      }
    }
    await stateStore.clear();
    return { dryRun, providerAccount: options.settings.providerAccount, changes };
  };

  return dryRun ? run() : withProvisioningLock(options.store, run);
}
