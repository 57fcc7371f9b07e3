import type { Command } from 'commander';
import { withStore } from '../runtime-env.js';
import { printRows } from '../shared.js';

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
      const rows = await withStore((store) => store.listSecrets({ customerAccountId: options.customer, appReference: options.app }));
      printRows(rows, {
        json: options.json,
        emptyMessage: 'No secrets stored.',
        toJson: (row) => ({ ...row, updatedAt: row.updatedAt.toISOString() }),
        toTableRow: (row) => ({
          customer: row.customerAccountId,
          app: row.appReference,
          name: row.name,
          updated: row.updatedAt.toISOString(),
        }),
      });
    });
}
