import { SolutionError } from '../errors.js';
import { INSTALLATION_EVENTS, type Runbook } from './runbooks.js';

export interface SecretsWaitOptions {
  /** Seconds between two looks for secrets that have not arrived yet. Default 30. */
  intervalSeconds?: number;
  /** Looks before the action fails. Default 10. */
  attempts?: number;
}

/** Settings of one app offering that `xac provision` writes to the offering's draft in Xurrent. */
export interface OfferingSettings {
  /**
   * Page that Xurrent opens in the customer's browser during installation, with `{account}` in
   * place of the customer account id, for example `https://setup.example.com/{account}`.
   */
  configurationUriTemplate?: string;
}

export interface RemovalOptions {
  /**
   * Seconds to keep a customer's secrets after Xurrent reported the app's removal
   * (`app_instance.delete`). Default 0: they are deleted, with their data key, right after the
   * delete runbooks' jobs finished.
   */
  retainSecretsSeconds?: number;
}

export interface SolutionOptions {
  /** Runbooks by name; the name identifies a runbook's jobs, so keep it stable. */
  runbooks: Record<string, Runbook>;
  /** Offering settings by app reference; each reference must be named by a runbook. */
  offerings?: Record<string, OfferingSettings>;
  /** Jobs that run at once in one worker process. Default 5. */
  concurrency?: number;
  /** Wait of token and config actions for secrets that Xurrent has not delivered yet. */
  secretsWait?: SecretsWaitOptions;
  /** Handling of a customer's secrets after the app was removed. */
  removal?: RemovalOptions;
}

export interface Solution {
  readonly runbooks: ReadonlyMap<string, Runbook>;
  readonly concurrency: number;
  readonly secretsWait: Required<SecretsWaitOptions>;
  readonly removal: Required<RemovalOptions>;
  /** App references named by the runbooks. */
  readonly appReferences: readonly string[];
  /** Offering settings by app reference, as given to `defineSolution`. */
  readonly offerings: Readonly<Record<string, OfferingSettings>>;
}

const RUNBOOK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ENDPOINT_PATH = /^[A-Za-z0-9][A-Za-z0-9_\-/]{0,127}$/;

/** Validates the runbooks and returns the solution that `xac serve` runs. */
export function defineSolution(options: SolutionOptions): Solution {
  if (options === null || typeof options !== 'object' || typeof options.runbooks !== 'object') {
    throw new SolutionError('defineSolution expects { runbooks: { name: runbook, ... } }');
  }

  const runbooks = new Map<string, Runbook>();
  const endpointPaths = new Map<string, string>();
  let secretsRunbook: string | undefined;
  const appReferences = new Set<string>();

  for (const [name, runbook] of Object.entries(options.runbooks)) {
    if (!RUNBOOK_NAME.test(name)) {
      throw new SolutionError(
        `runbook name "${name}" is invalid; use a letter followed by up to 63 letters, digits, "_" or "-"`,
      );
    }
    validateRunbook(name, runbook);

    switch (runbook.kind) {
      case 'secretsChanged':
        if (secretsRunbook) {
          throw new SolutionError(
            `runbooks "${secretsRunbook}" and "${name}" are both secretsChanged; a solution has at most one`,
          );
        }
        secretsRunbook = name;
        runbook.appReferences?.forEach((reference) => appReferences.add(reference));
        break;
      case 'installationChanged':
        if (runbook.appReference) appReferences.add(runbook.appReference);
        break;
      case 'automationWebhook':
        appReferences.add(runbook.appReference);
        break;
      case 'jsonEndpoint': {
        const other = endpointPaths.get(runbook.path);
        if (other) {
          throw new SolutionError(`runbooks "${other}" and "${name}" both use the endpoint path "${runbook.path}"`);
        }
        endpointPaths.set(runbook.path, name);
        break;
      }
    }
    runbooks.set(name, runbook);
  }

  const concurrency = options.concurrency ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SolutionError(`concurrency ${String(concurrency)} is invalid; use a whole number of 1 or more`);
  }

  const intervalSeconds = options.secretsWait?.intervalSeconds ?? 30;
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalSeconds < 0) {
    throw new SolutionError(`secretsWait.intervalSeconds ${String(intervalSeconds)} is invalid; use a number of seconds of 0 or more`);
  }
  const attempts = options.secretsWait?.attempts ?? 10;
  if (!Number.isInteger(attempts) || attempts < 0) {
    throw new SolutionError(`secretsWait.attempts ${String(attempts)} is invalid; use a whole number of 0 or more`);
  }

  const offerings = validateOfferings(options.offerings ?? {}, appReferences);

  const retainSecretsSeconds = options.removal?.retainSecretsSeconds ?? 0;
  if (typeof retainSecretsSeconds !== 'number' || !Number.isFinite(retainSecretsSeconds) || retainSecretsSeconds < 0) {
    throw new SolutionError(
      `removal.retainSecretsSeconds ${String(retainSecretsSeconds)} is invalid; use a number of seconds of 0 or more`,
    );
  }

  return {
    runbooks,
    concurrency,
    secretsWait: { intervalSeconds, attempts },
    removal: { retainSecretsSeconds },
    appReferences: [...appReferences],
    offerings,
  };
}

function validateOfferings(offerings: Record<string, OfferingSettings>, appReferences: ReadonlySet<string>): Record<string, OfferingSettings> {
  if (offerings === null || typeof offerings !== 'object') {
    throw new SolutionError('offerings must be an object of app reference to { configurationUriTemplate? }');
  }
  const copy: Record<string, OfferingSettings> = {};
  for (const [reference, settings] of Object.entries(offerings)) {
    if (!appReferences.has(reference)) {
      throw new SolutionError(`offerings.${reference} names an app reference that no runbook uses; use one of: ${[...appReferences].join(', ') || '(none)'}`);
    }
    const template = settings?.configurationUriTemplate;
    if (template !== undefined && !isHttpUrlTemplate(template)) {
      throw new SolutionError(
        `offerings.${reference}.configurationUriTemplate ${JSON.stringify(template)} is invalid; use an absolute http(s) URL, with {account} for the customer account id`,
      );
    }
    copy[reference] = template === undefined ? {} : { configurationUriTemplate: template };
  }
  return copy;
}

function isHttpUrlTemplate(template: unknown): boolean {
  if (typeof template !== 'string') return false;
  try {
    const url = new URL(template.replaceAll('{account}', 'account'));
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Options each trigger takes, besides `kind` and `handler`; a misspelled one would be ignored silently. */
const RUNBOOK_OPTIONS: Record<Runbook['kind'], readonly string[]> = {
  secretsChanged: ['appReferences', 'discard', 'retry', 'concurrency'],
  installationChanged: ['event', 'appReference', 'discard', 'retry', 'concurrency'],
  automationWebhook: ['appReference', 'payload', 'discard', 'retry', 'concurrency'],
  jsonEndpoint: ['path', 'auth', 'body', 'discard', 'retry', 'concurrency'],
};

function rejectUnknownOptions(name: string, runbook: Runbook): void {
  const allowed = RUNBOOK_OPTIONS[runbook.kind];
  for (const key of Object.keys(runbook)) {
    if (key === 'kind' || key === 'handler' || allowed.includes(key)) continue;
    const suggestion = closestOption(key, allowed);
    throw new SolutionError(
      `runbook "${name}": ${runbook.kind} has no option "${key}"${suggestion ? `; did you mean "${suggestion}"?` : '.'} ` +
        `Its options are ${allowed.join(', ')}`,
    );
  }
}

/** Returns the allowed option within two edits of the misspelled one, if any. */
function closestOption(key: string, allowed: readonly string[]): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of allowed) {
    const distance = editDistance(key.toLowerCase(), option.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function validateRunbook(name: string, runbook: Runbook): void {
  const kinds = ['secretsChanged', 'installationChanged', 'automationWebhook', 'jsonEndpoint'];
  if (!runbook || !kinds.includes(runbook.kind)) {
    throw new SolutionError(
      `runbook "${name}" is not a runbook; create it with secretsChanged, installationChanged, automationWebhook or jsonEndpoint`,
    );
  }
  rejectUnknownOptions(name, runbook);
  if (runbook.kind !== 'secretsChanged' && typeof runbook.handler !== 'function') {
    throw new SolutionError(`runbook "${name}" has no handler function`);
  }
  if (runbook.discard !== undefined && typeof runbook.discard !== 'function') {
    throw new SolutionError(`runbook "${name}": discard must be a function of the trigger output`);
  }
  const maxAttempts = runbook.retry?.maxAttempts;
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new SolutionError(`runbook "${name}": retry.maxAttempts ${maxAttempts} is invalid; use a whole number of 1 or more`);
  }
  const concurrency = runbook.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new SolutionError(`runbook "${name}": concurrency ${String(concurrency)} is invalid; use a whole number of 1 or more`);
  }

  switch (runbook.kind) {
    case 'installationChanged':
      if (!INSTALLATION_EVENTS.includes(runbook.event)) {
        throw new SolutionError(
          `runbook "${name}": event "${String(runbook.event)}" is invalid; use one of ${INSTALLATION_EVENTS.join(', ')}`,
        );
      }
      break;
    case 'automationWebhook':
      if (typeof runbook.appReference !== 'string' || runbook.appReference === '') {
        throw new SolutionError(`runbook "${name}": automationWebhook needs the appReference of its app offering`);
      }
      break;
    case 'jsonEndpoint':
      if (typeof runbook.path !== 'string' || !ENDPOINT_PATH.test(runbook.path)) {
        throw new SolutionError(
          `runbook "${name}": endpoint path "${String(runbook.path)}" is invalid; use letters, digits, "_", "-" and "/" without a leading "/"`,
        );
      }
      validateAuth(name, runbook.auth);
      break;
    case 'secretsChanged':
      break;
  }
}

function validateAuth(name: string, auth: unknown): void {
  const fix = `set auth to { type: 'apiKey' | 'basic' | 'hmac' | 'custom', ... } or write auth: 'none' for an open endpoint`;
  if (auth === 'none') return;
  if (!auth || typeof auth !== 'object' || !('type' in auth)) {
    throw new SolutionError(`runbook "${name}": jsonEndpoint needs auth; ${fix}`);
  }
  const value = auth as Record<string, unknown>;
  switch (value.type) {
    case 'apiKey':
      if (typeof value.header !== 'string' || value.header === '' || !Array.isArray(value.keys) || value.keys.length === 0 || value.keys.some((key) => typeof key !== 'string' || key === '')) {
        throw new SolutionError(`runbook "${name}": apiKey auth needs a header name and at least one non-empty key`);
      }
      return;
    case 'basic':
      if (typeof value.username !== 'string' || typeof value.password !== 'string' || value.password === '') {
        throw new SolutionError(`runbook "${name}": basic auth needs a username and a non-empty password`);
      }
      return;
    case 'hmac':
      if (!Array.isArray(value.secrets) || value.secrets.length === 0 || value.secrets.some((secret) => typeof secret !== 'string' || secret === '')) {
        throw new SolutionError(`runbook "${name}": hmac auth needs at least one non-empty signing secret`);
      }
      if (value.toleranceSeconds !== undefined && (typeof value.toleranceSeconds !== 'number' || !(value.toleranceSeconds > 0))) {
        throw new SolutionError(`runbook "${name}": hmac toleranceSeconds is invalid; use a number of seconds greater than 0`);
      }
      return;
    case 'custom':
      if (typeof value.verify !== 'function') {
        throw new SolutionError(`runbook "${name}": custom auth needs a verify function`);
      }
      return;
    default:
      throw new SolutionError(`runbook "${name}": auth type "${String(value.type)}" is unknown; ${fix}`);
  }
}
