import { formatTimestamp } from './graphql/scalars.js';
import { randomUrlToken } from './ids.js';
import type { AsyncQueryRecord, ConfigurationItemRecord, SimulatorState } from './state.js';

/** Xurrent accepts at most 100 physical assets per discoveredConfigurationItems call. */
export const MAX_PHYSICAL_ASSETS = 100;

export type AsyncQueryStatus = 'queued' | 'in_progress' | 'completed';

export interface DiscoveredConfigurationItemsInput {
  source: string;
  referenceStrategies?: unknown;
  physicalAssets?: unknown[] | null;
}

export function asyncQueryStatus(query: AsyncQueryRecord, now: number): AsyncQueryStatus {
  if (now >= query.readyAt) return 'completed';
  return now >= query.createdAt + (query.readyAt - query.createdAt) / 2 ? 'in_progress' : 'queued';
}

export function resultUrl(state: SimulatorState, query: AsyncQueryRecord): string {
  return `${state.baseUrl}/async_results/${query.resultToken}.json`;
}

/**
 * Accepts a bulk upload of discovered CIs: upserts them by sourceID at once and keeps
 * the full mutation result, which the result URL serves once `asyncResultDelayMs` passed.
 */
export function submitDiscoveredConfigurationItems(
  state: SimulatorState,
  accountId: string,
  personId: number,
  input: DiscoveredConfigurationItemsInput,
): AsyncQueryRecord {
  const now = state.now();
  const query: AsyncQueryRecord = {
    id: state.nextId('AsyncQuery'),
    accountId,
    personId,
    resultToken: randomUrlToken(24),
    createdAt: now,
    readyAt: now + state.asyncResultDelayMs,
    result: null,
    resultCount: 0,
    errorCount: 0,
  };
  const items: ConfigurationItemRecord[] = [];
  const errors: Array<{ path: string[]; message: string }> = [];
  (input.physicalAssets ?? []).forEach((asset, assetIndex) => {
    const assetObject = isObject(asset) ? asset : {};
    const entries = Array.isArray(assetObject.configurationItems) ? assetObject.configurationItems : [assetObject];
    entries.forEach((entry: unknown, itemIndex: number) => {
      const item = isObject(entry) ? entry : {};
      if (typeof item.sourceID !== 'string' || item.sourceID === '') {
        errors.push({
          path: ['physicalAssets', String(assetIndex), 'configurationItems', String(itemIndex), 'sourceID'],
          message: "can't be blank",
        });
        return;
      }
      items.push(upsertConfigurationItem(state, accountId, item.sourceID, item));
    });
  });
  query.resultCount = items.length;
  query.errorCount = errors.length;
  state.asyncQueries.set(query.id, query);
  query.result = {
    data: {
      discoveredConfigurationItems: {
        asyncQuery: {
          id: state.nodeId('AsyncQuery', query.id),
          status: 'completed',
          resultUrl: resultUrl(state, query),
          resultCount: query.resultCount,
          errorCount: query.errorCount,
          createdAt: formatTimestamp(query.createdAt),
          completedAt: formatTimestamp(query.readyAt),
        },
        configurationItems: items.map((item) => ({
          id: state.nodeId('ConfigurationItem', item.id),
          sourceID: item.sourceID,
          name: item.name,
          label: item.label,
        })),
        errors,
      },
    },
  };
  return query;
}

/** Returns the document at a result URL: `{}` until ready, then the full result, or undefined for an unknown URL. */
export function readAsyncResult(state: SimulatorState, resultToken: string): unknown {
  for (const query of state.asyncQueries.values()) {
    if (query.resultToken !== resultToken) continue;
    return asyncQueryStatus(query, state.now()) === 'completed' ? query.result : {};
  }
  return undefined;
}

function upsertConfigurationItem(
  state: SimulatorState,
  accountId: string,
  sourceID: string,
  item: Record<string, unknown>,
): ConfigurationItemRecord {
  const name = typeof item.name === 'string' ? item.name : null;
  const label = typeof item.label === 'string' ? item.label : null;
  for (const existing of state.configurationItems.values()) {
    if (existing.accountId === accountId && existing.sourceID === sourceID) {
      existing.name = name ?? existing.name;
      existing.label = label ?? existing.label;
      return existing;
    }
  }
  const record: ConfigurationItemRecord = { id: state.nextId('ConfigurationItem'), accountId, name, label, sourceID };
  state.configurationItems.set(record.id, record);
  return record;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
