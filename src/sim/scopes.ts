export type ScopeAction = 'Create' | 'Read' | 'Update' | 'Delete';

const LETTER_ACTIONS: Record<string, ScopeAction> = { C: 'Create', R: 'Read', U: 'Update', D: 'Delete' };
const FULL_ACTIONS = new Set<string>(['Create', 'Read', 'Update', 'Delete']);

/**
 * Grants parsed from OAuth scope strings of the form `model:actions`, where actions are
 * full names (`request:Read`), CRUD letters (`request:RU`) or `*`. A bare `*` grants everything.
 */
export class ScopeSet {
  private readonly all: boolean;
  private readonly grants = new Map<string, Set<string>>();

  constructor(scopes: readonly string[]) {
    let all = false;
    for (const scope of splitScopes(scopes)) {
      if (scope === '*') {
        all = true;
        continue;
      }
      const separator = scope.indexOf(':');
      if (separator <= 0) continue;
      const model = scope.slice(0, separator);
      const actions = scope.slice(separator + 1);
      const granted = this.grants.get(model) ?? new Set<string>();
      for (const action of expandActions(actions)) granted.add(action);
      this.grants.set(model, granted);
    }
    this.all = all;
  }

  allows(model: string, action: ScopeAction): boolean {
    if (this.all) return true;
    const granted = this.grants.get(model);
    return granted !== undefined && (granted.has('*') || granted.has(action));
  }
}

/** Splits scopes given as a list, a comma-separated string, or a mix of both. */
export function splitScopes(scopes: readonly string[] | string): string[] {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  return list
    .flatMap((scope) => scope.split(','))
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
}

function expandActions(actions: string): string[] {
  if (actions === '*') return ['*'];
  if (FULL_ACTIONS.has(actions)) return [actions];
  if (/^[CRUD]+$/.test(actions)) {
    return [...actions].map((letter) => LETTER_ACTIONS[letter] ?? letter);
  }
  // Xurrent has other action names (e.g. `Manage`); keep them so a scope check can name them.
  return [actions];
}

/** Scope string for a model and action, as shown in error messages: `webhook-policy:Update`. */
export function formatScope(model: string, action: ScopeAction): string {
  return `${model}:${action}`;
}
