import { GraphQLError } from 'graphql';
import { decodeNodeId } from '../ids.js';

const MAX_PAGE_SIZE = 100;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/**
 * Pages records ordered by id. Root connections require `first` or `last` (1..100) as
 * Xurrent does; nested connections default to the first 100 records.
 */
export function paginate<T extends { id: number }>(
  records: Iterable<T>,
  args: ConnectionArgs,
  options: { field: string; required: boolean },
): Connection<T> {
  const all = [...records].sort((a, b) => a.id - b.id);
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first === undefined && last === undefined && options.required) {
    throw new GraphQLError(`Argument 'first' or 'last' is required on ${options.field}; pass a value from 1 to ${MAX_PAGE_SIZE}.`);
  }
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value !== undefined && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`Argument '${name}' on ${options.field} must be from 1 to ${MAX_PAGE_SIZE}, got ${value}.`);
    }
  }

  let window = all;
  if (args.after) {
    const afterId = decodeCursor(args.after, options.field);
    window = window.filter((record) => record.id > afterId);
  }
  if (args.before) {
    const beforeId = decodeCursor(args.before, options.field);
    window = window.filter((record) => record.id < beforeId);
  }
  let nodes = window;
  if (last !== undefined) nodes = nodes.slice(Math.max(0, nodes.length - last));
  if (first !== undefined || last === undefined) nodes = nodes.slice(0, first ?? MAX_PAGE_SIZE);

  const firstNode = nodes[0];
  const lastNode = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: {
      hasNextPage: lastNode !== undefined && window.some((record) => record.id > lastNode.id),
      hasPreviousPage: firstNode !== undefined && all.some((record) => record.id < firstNode.id),
      startCursor: firstNode ? encodeCursor(firstNode.id) : null,
      endCursor: lastNode ? encodeCursor(lastNode.id) : null,
    },
    totalCount: window.length,
  };
}

function encodeCursor(id: number): string {
  return Buffer.from(`cursor:${id}`).toString('base64url');
}

function decodeCursor(cursor: string, field: string): number {
  const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new GraphQLError(`Invalid cursor '${cursor}' on ${field}; pass pageInfo.endCursor of the previous page.`);
  }
  return Number(match[1]);
}

export interface ValuesFilter {
  values?: Array<string | null> | null;
  negate?: boolean | null;
}

export interface TimestampFilter {
  greaterThan?: number | null;
  lessThan?: number | null;
}

/** Matches `{values, negate}`; empty `values` means "empty", and with `negate` "present". */
export function matchesValues(filter: ValuesFilter | null | undefined, value: string | null): boolean {
  if (!filter) return true;
  const values = filter.values ?? [];
  const matched = values.length === 0 ? value === null || value === '' : values.includes(value);
  return filter.negate ? !matched : matched;
}

/** Matches an ID filter against a record's numeric id; filter values are nodeIDs. */
export function matchesIds(filter: ValuesFilter | null | undefined, id: number | null): boolean {
  if (!filter) return true;
  const ids = (filter.values ?? []).map((value) => (value === null ? null : (decodeNodeId(value)?.id ?? -1)));
  const matched = ids.length === 0 ? id === null : ids.includes(id);
  return filter.negate ? !matched : matched;
}

export function matchesBoolean(filter: boolean | null | undefined, value: boolean): boolean {
  return filter === undefined || filter === null || filter === value;
}

export function matchesTime(filter: TimestampFilter | null | undefined, value: number): boolean {
  if (!filter) return true;
  if (filter.greaterThan != null && !(value > filter.greaterThan)) return false;
  if (filter.lessThan != null && !(value < filter.lessThan)) return false;
  return true;
}
