import type { Command } from 'commander';
import { withStore } from '../runtime-env.js';
import { parsePositiveInteger, printRows } from '../shared.js';

export function registerDeliveries(program: Command): void {
  const deliveries = program.command('deliveries').description('received webhook deliveries (summaries without secret values)');

  deliveries
    .command('list')
    .description('list the latest recorded deliveries, newest first')
    .option('--limit <n>', 'how many deliveries to list (default 50)', parsePositiveInteger)
    .option('--json', 'print JSON, with each delivery\'s summary')
    .action(async (options: { limit?: number; json?: boolean }) => {
      const rows = await withStore((store) => store.listDeliveries(options.limit ?? 50));
      printRows(rows, {
        json: options.json,
        emptyMessage: 'No deliveries recorded.',
        toJson: (row) => ({ ...row, receivedAt: row.receivedAt.toISOString() }),
        toTableRow: (row) => ({
          id: row.id,
          received: row.receivedAt.toISOString(),
          event: row.event,
          customer: row.customerAccountId ?? '',
          app: row.appReference ?? '',
          status: row.status,
          note: (row.note ?? '').slice(0, 80),
        }),
      });
    });
}
