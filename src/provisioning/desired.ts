/**
 * The webhooks and offering templates that a solution needs in the provider account,
 * derived from the runbooks and the public URL alone.
 */
import { INSTALLATIONS_ROUTE } from '../receiver/routes/installations.js';
import { SECRETS_ROUTE } from '../receiver/routes/secrets.js';
import type { Solution } from '../solution/define.js';
import { INSTALLATION_EVENTS, type InstallationEvent } from '../solution/runbooks.js';

export const SECRETS_EVENT = 'app_instance.secrets-update';

export type ProvisionedEvent = typeof SECRETS_EVENT | InstallationEvent;

/** Every event that provisioning may create a webhook for. */
export const PROVISIONED_EVENTS: readonly ProvisionedEvent[] = [SECRETS_EVENT, ...INSTALLATION_EVENTS];

/**
 * Start of the name of every webhook that provisioning creates. The name, together with the
 * webhook ids kept in the database, identifies our webhooks, because the webhook input of
 * Xurrent's GraphQL API has no `source` or `sourceID` field that could mark them.
 *
 * NOTE: the name carries no runtime id, so two runtimes provisioning one provider account
 * take over each other's webhooks. Run one runtime per provider account.
 */
export const WEBHOOK_NAME_PREFIX = 'xurrent-app-connector: ';

export const WEBHOOK_DESCRIPTION =
  'Managed by xurrent-app-connector: `xac provision` resets changes to it and `xac deprovision` deletes it.';

export interface DesiredWebhook {
  event: ProvisionedEvent;
  name: string;
  uri: string;
  /** Sorted. Empty means every offering of the provider account. */
  appOfferingReferences: string[];
}

export interface DesiredOffering {
  reference: string;
  /** Undefined when no automationWebhook runbook serves the offering: the template is left alone. */
  webhookUriTemplate: string | undefined;
  /** Undefined when the solution gives none: the template is left alone. */
  configurationUriTemplate: string | undefined;
}

export interface DesiredState {
  webhooks: DesiredWebhook[];
  offerings: DesiredOffering[];
}

export function webhookName(event: string): string {
  return `${WEBHOOK_NAME_PREFIX}${event}`;
}

/** Returns the URL that an offering's automation rules call, with Xurrent's `{account}` placeholder. */
export function automationUriTemplate(publicUrl: string, reference: string): string {
  return `${publicUrl}/xurrent/automation/${encodeURIComponent(reference)}?customer_account_id={account}`;
}

/**
 * Lists the webhooks and offering templates that the solution needs, with `publicUrl` (no
 * trailing slash) as the receiver's base URL.
 *
 * The secrets webhook is limited to the apps whose secrets the receiver keeps: those of the
 * secretsChanged runbook when it names any, else all the solution's apps. Each installation
 * webhook is limited to the apps of the installationChanged runbooks for its event, or
 * covers every offering when one of those runbooks names no app, because such a runbook
 * runs for any app.
 */
export function desiredState(solution: Solution, publicUrl: string): DesiredState {
  const webhooks: DesiredWebhook[] = [
    {
      event: SECRETS_EVENT,
      name: webhookName(SECRETS_EVENT),
      uri: `${publicUrl}${SECRETS_ROUTE}`,
      appOfferingReferences: sorted(secretsReferences(solution)),
    },
  ];

  for (const event of INSTALLATION_EVENTS) {
    const runbooks = [...solution.runbooks.values()].filter(
      (runbook) => runbook.kind === 'installationChanged' && runbook.event === event,
    );
    const references = runbooks.map((runbook) => (runbook.kind === 'installationChanged' ? runbook.appReference : undefined));
    // The receiver destroys a customer's secrets when the app is removed, so the apps whose
    // secrets it keeps need the delete webhook even without a runbook for it.
    if (event === 'app_instance.delete') {
      const kept = secretsReferences(solution);
      if (kept.length === 0) references.push(undefined);
      else references.push(...kept);
    }
    if (references.length === 0) {
      continue;
    }

    webhooks.push({
      event,
      name: webhookName(event),
      uri: `${publicUrl}${INSTALLATIONS_ROUTE}`,
      appOfferingReferences: references.includes(undefined) ? [] : sorted([...new Set(references as string[])]),
    });
  }

  const automationReferences = new Set<string>();
  for (const runbook of solution.runbooks.values()) {
    if (runbook.kind === 'automationWebhook') {
      automationReferences.add(runbook.appReference);
    }
  }
  const offeringReferences = sorted([...automationReferences, ...Object.keys(solution.offerings)]);
  const offerings = offeringReferences.map((reference) => ({
    reference,
    webhookUriTemplate: automationReferences.has(reference) ? automationUriTemplate(publicUrl, reference) : undefined,
    configurationUriTemplate: solution.offerings[reference]?.configurationUriTemplate,
  }));

  return { webhooks, offerings };
}

function secretsReferences(solution: Solution): readonly string[] {
  for (const runbook of solution.runbooks.values()) {
    if (runbook.kind === 'secretsChanged' && runbook.appReferences && runbook.appReferences.length > 0) {
      return runbook.appReferences;
    }
  }
  return solution.appReferences;
}

/** Returns the distinct values in code-point order, so that two lists compare as sets. */
export function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
