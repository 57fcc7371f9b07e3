import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { openSecretStore } from '../runtime-env.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('master keys that wrap the per-customer data keys');

  keys
    .command('generate')
    .description('print a new random master key (base64, 32 bytes) for XAC_MASTER_KEY')
    .action(() => {
      console.log(randomBytes(32).toString('base64'));
    });

  keys
    .command('rotate')
    .description('re-wrap every data key with XAC_MASTER_KEY; old keys must be in XAC_PREVIOUS_MASTER_KEYS')
    .action(async () => {
      const { store, secretStore } = await openSecretStore();
      try {
        const result = await secretStore.rotate();
        console.log(
          `Re-wrapped ${result.rewrapped} data keys; ${result.alreadyCurrent} already used the current master key. ` +
            'Once every process runs with the new XAC_MASTER_KEY, remove the old key from XAC_PREVIOUS_MASTER_KEYS.',
        );
      } finally {
        await store.close();
      }
    });
}
