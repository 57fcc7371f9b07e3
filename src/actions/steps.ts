import { PROVIDER_PAIR } from '../connection/token-persistence.js';
import { FailSignal } from '../engine/signals.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { JobRecord, StepRecord, Store } from '../storage/store.js';

export interface StepJournalDeps {
  store: Store;
  secretStore: SecretStore;
  now: () => Date;
}

/**
 * A job's completed steps and saved progress. Every record is sealed under the data key of the
 * job's customer account and app, or the provider's key when the job names none. So a step
 * result that contains a secret never reaches the database in plain text, and a purge of the
 * pair makes it unreadable.
 */
export class StepJournal {
  private readonly usedNames = new Set<string>();
  private readonly actionCalls = new Map<string, number>();
  private readonly pair: { customerAccountId: string; appReference: string };

  constructor(
    private readonly deps: StepJournalDeps,
    private readonly job: JobRecord,
  ) {
    this.pair =
      job.customerAccountId && job.appReference
        ? { customerAccountId: job.customerAccountId, appReference: job.appReference }
        : PROVIDER_PAIR;
  }

  /** `ctx.step`: a step named by the runbook. */
  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    if (typeof name !== 'string' || name === '') {
      throw new FailSignal('ctx.step: the step name must be a non-empty string');
    }
    if (name.startsWith('@')) {
      throw new FailSignal(`ctx.step("${name}"): names starting with "@" are reserved for the runtime's own steps; rename the step`);
    }
    if (typeof fn !== 'function') throw new FailSignal(`ctx.step("${name}"): the second argument must be a function`);
    return this.run(name, fn);
  }

  /**
   * Returns the step name of an action's next call in this run, `@<action>#<n>`. A handler that runs the
   * same code on every run gets the same names, so each call finds its own recorded result.
   */
  nextActionStepName(action: string): string {
    const count = (this.actionCalls.get(action) ?? 0) + 1;
    this.actionCalls.set(action, count);
    return `@${action}#${count}`;
  }

  /** Returns the recorded result of the step, or runs fn and records its result. */
  async run<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.usedNames.has(name)) {
      throw new FailSignal(`step "${name}" ran twice in one run of job ${this.job.id}; give each step its own name`);
    }
    this.usedNames.add(name);

    const recorded = await this.deps.store.getStep(this.job.id, name);
    if (recorded) return (await this.open(recorded, 'step')) as T;

    let result: T;
    try {
      result = await fn();
    } catch (error) {
      // A step that failed has no result, so the handler may try it again under the same name.
      this.usedNames.delete(name);
      throw error;
    }
    const stored = await this.deps.store.putStep(this.job.id, await this.seal(name, 'step', result));
    return (await this.open(stored, 'step')) as T;
  }

  /** Saved progress of an action, such as the ready URLs of asyncUrls; undefined when none. */
  async load(name: string): Promise<unknown> {
    const recorded = await this.deps.store.getStep(this.job.id, name);
    return recorded ? this.open(recorded, 'progress') : undefined;
  }

  async save(name: string, value: unknown): Promise<void> {
    await this.deps.store.saveStep(this.job.id, await this.seal(name, 'progress', value));
  }

  private async seal(name: string, kind: 'step' | 'progress', value: unknown): Promise<StepRecord> {
    let json: unknown;
    try {
      // Wrapped, so that undefined survives as an absent property.
      json = JSON.parse(JSON.stringify({ value })) as unknown;
    } catch (error) {
      throw new FailSignal(`step "${name}" returned a value that JSON cannot represent: ${(error as Error).message}`);
    }
    const { customerAccountId, appReference } = this.pair;
    const result = await this.deps.secretStore.seal(customerAccountId, appReference, this.label(kind, name), json);
    return { name, result, encrypted: true, createdAt: this.deps.now() };
  }

  private async open(record: StepRecord, kind: 'step' | 'progress'): Promise<unknown> {
    const { customerAccountId, appReference } = this.pair;
    try {
      const opened = (await this.deps.secretStore.unseal(customerAccountId, appReference, this.label(kind, record.name), record.result)) as {
        value?: unknown;
      };
      return opened.value;
    } catch (error) {
      throw new FailSignal(
        `the recorded result of step "${record.name}" of job ${this.job.id} cannot be read (${(error as Error).message}); ` +
          `the data key of customer ${customerAccountId} and app ${appReference} was destroyed after the step ran`,
      );
    }
  }

  private label(kind: 'step' | 'progress', name: string): string {
    return `${kind}:${this.job.id}/${name}`;
  }
}
