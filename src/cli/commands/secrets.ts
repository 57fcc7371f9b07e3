import type { Command } from 'commander';
import { openStore } from '../runtime-env.js';
import { printTable } from '../shared.js';

export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('customer secrets stored from secrets-update deliveries (names only, never values)');

  secrets
    .command('list')
    .description('list stored secret names and update times per customer account and app')
    .option('--customer <account>', 'only this customer account')
    .option('--app <reference>', 'only this app offering reference')
    .option('--json', 'print JSON')
    .action(async (options: { customer?: string; app?: string; json?: boolean }) => {
      // Listing reads names and times from the store directly, so it needs no master key.
      const store = await openStore(process.env, { mustExist: true });
      try {
        const rows = await store.listSecrets({ customerAccountId: options.customer, appReference: options.app });
        if (options.json) {
          console.log(JSON.stringify(rows.map((row) => ({ ...row, updatedAt: row.updatedAt.toISOString() })), null, 2));
          return;
        }
        if (rows.length === 0) {
          console.log('No secrets stored.');
          return;
        }
        printTable(
          rows.map((row) => ({
            customer: row.customerAccountId,
            app: row.appReference,
            name: row.name,
            updated: row.updatedAt.toISOString(),
          })),
        );
      } finally {
        await store.close();
      }
    });
}
