import type { Command } from 'commander';
import { openStore } from '../runtime-env.js';
import { parsePositiveInteger, printTable } from '../shared.js';

export function registerDeliveries(program: Command): void {
  const deliveries = program.command('deliveries').description('received webhook deliveries (summaries without secret values)');

  deliveries
    .command('list')
    .description('list the latest recorded deliveries, newest first')
    .option('--limit <n>', 'how many deliveries to list (default 50)', parsePositiveInteger)
    .option('--json', 'print JSON, with each delivery\'s summary')
    .action(async (options: { limit?: number; json?: boolean }) => {
      const store = await openStore(process.env, { mustExist: true });
      try {
        const rows = await store.listDeliveries(options.limit ?? 50);
        if (options.json) {
          console.log(JSON.stringify(rows.map((row) => ({ ...row, receivedAt: row.receivedAt.toISOString() })), null, 2));
          return;
        }
        if (rows.length === 0) {
          console.log('No deliveries recorded.');
          return;
        }
        printTable(
          rows.map((row) => ({
            id: row.id,
            received: row.receivedAt.toISOString(),
            event: row.event,
            customer: row.customerAccountId ?? '',
            app: row.appReference ?? '',
            status: row.status,
            note: (row.note ?? '').slice(0, 80),
          })),
        );
      } finally {
        await store.close();
      }
    });
}
