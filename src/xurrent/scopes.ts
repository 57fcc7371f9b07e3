/**
 * Xurrent OAuth scopes: `model:actions`, where the model is hyphenated lower case
 * (`app-instance`) and the actions are CRUD letters (`RU`), one full action name
 * (`Read`), or `*` for all four. A list separates scopes with commas.
 */

export type ScopeAction = 'C' | 'R' | 'U' | 'D';

const ALL_ACTIONS: readonly ScopeAction[] = ['C', 'R', 'U', 'D'];

const FULL_ACTION_NAMES: Record<string, ScopeAction> = {
  create: 'C',
  read: 'R',
  update: 'U',
  delete: 'D',
};

export interface ParsedScope {
  model: string;
  actions: ScopeAction[];
}

/** A model and the actions on it that no granted scope covers. */
export interface MissingScope {
  model: string;
  /** CRUD letters in that order, for example "CU". */
  actions: string;
}

/**
 * Scopes that the provider's OAuth application needs to run and provision apps. Xurrent's
 * iPaaS app connector requests the same list with `webhook:CRU` and `webhook-policy:CRU`.
 * This runtime also deletes the webhooks and policies it created (`xac deprovision`,
 * duplicates, a replaced policy), so it needs D as well.
 */
export const REQUIRED_PROVIDER_SCOPES: readonly string[] = [
  'account:R',
  'app-instance:RU',
  'app-offering:CRU',
  'app-offering-automation-rule:CRUD',
  'app-offering-scope:CRU',
  'attachment:R',
  'service-instance:R',
  'ui-extension:CRU',
  'webhook:CRUD',
  'webhook-policy:CRUD',
];

/**
 * Parses one scope such as `request:RU`, `request:Read` or `request:*`. Returns
 * undefined for anything else, including scope names without actions.
 */
export function parseScope(scope: string): ParsedScope | undefined {
  const separator = scope.indexOf(':');
  if (separator <= 0) {
    return undefined;
  }

  const model = scope.slice(0, separator).trim().toLowerCase();
  const actionText = scope.slice(separator + 1).trim();
  if (!/^[a-z0-9][a-z0-9-]*$/.test(model)) {
    return undefined;
  }

  if (actionText === '*') {
    return { model, actions: [...ALL_ACTIONS] };
  }
  const fullName = FULL_ACTION_NAMES[actionText.toLowerCase()];
  if (fullName !== undefined) {
    return { model, actions: [fullName] };
  }
  if (/^[CRUD]+$/.test(actionText)) {
    return { model, actions: ALL_ACTIONS.filter((action) => actionText.includes(action)) };
  }
  return undefined;
}

/** Splits scope lists ("request:RU,problem:RU" or space-separated) into single scopes. */
export function splitScopes(scopes: string | readonly string[]): string[] {
  const lists = typeof scopes === 'string' ? [scopes] : scopes;
  return lists.flatMap((list) => list.split(/[\s,]+/)).filter((scope) => scope !== '');
}

/**
 * Compares granted scopes with required ones and returns the actions missing per
 * model, in the order of `required`. Granted entries that do not parse grant nothing.
 * Throws `RangeError` for a required entry that does not parse.
 *
 * NOTE: older scope names without actions (such as `cmdb` or `account-administration`,
 * seen in introspection responses) grant nothing here, because their mapping to models
 * is not documented. A token with only such scopes is reported as missing everything.
 */
export function compareScopes(
  granted: string | readonly string[],
  required: string | readonly string[] = REQUIRED_PROVIDER_SCOPES,
): { missing: MissingScope[] } {
  const grantedActions = new Map<string, Set<ScopeAction>>();
  for (const scope of splitScopes(granted)) {
    const parsed = parseScope(scope);
    if (parsed === undefined) {
      continue;
    }

    const actions = grantedActions.get(parsed.model) ?? new Set<ScopeAction>();
    parsed.actions.forEach((action) => actions.add(action));
    grantedActions.set(parsed.model, actions);
  }

  const missingByModel = new Map<string, Set<ScopeAction>>();
  for (const scope of splitScopes(required)) {
    const parsed = parseScope(scope);
    if (parsed === undefined) {
      throw new RangeError(`invalid required scope ${JSON.stringify(scope)}; use model:actions, for example "webhook:CRU"`);
    }

    const have = grantedActions.get(parsed.model);
    const lacking = parsed.actions.filter((action) => have?.has(action) !== true);
    if (lacking.length > 0) {
      const actions = missingByModel.get(parsed.model) ?? new Set<ScopeAction>();
      lacking.forEach((action) => actions.add(action));
      missingByModel.set(parsed.model, actions);
    }
  }

  const missing = [...missingByModel].map(([model, actions]) => ({
    model,
    actions: ALL_ACTIONS.filter((action) => actions.has(action)).join(''),
  }));
  return { missing };
}

/** Formats a scope as Xurrent writes it, for example `webhook:CU`. */
export function formatScope(scope: MissingScope): string {
  return `${scope.model}:${scope.actions}`;
}
