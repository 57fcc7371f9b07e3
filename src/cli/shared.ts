import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`port ${value} is invalid; use 0 to 65535`);
  }
  return port;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`${value} is not a whole number of 1 or more`);
  return number;
}

/** Runs close once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function closeOnSignal(close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    console.error(`${signal} received; finishing running jobs (send it again to exit at once)`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

export interface PrintRowsOptions<T> {
  json?: boolean;
  /** Printed in place of an empty table. */
  emptyMessage: string;
  toJson: (row: T) => unknown;
  toTableRow: (row: T) => Record<string, string>;
}

/** Prints rows as a JSON array with --json, else as a table, or the empty message when there are none. */
export function printRows<T>(rows: T[], options: PrintRowsOptions<T>): void {
  if (options.json) {
    console.log(JSON.stringify(rows.map(options.toJson), null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log(options.emptyMessage);
    return;
  }
  printTable(rows.map(options.toTableRow));
}

export function printTable(rows: Array<Record<string, string>>): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((column) => row[column] ?? '')));
}
