/** Text output of `xac provision` and `xac deprovision`: one line per change, then problems and warnings. */
import type { DeprovisionResult } from './deprovision.js';
import type { Change, Difference } from './plan.js';
import type { PendingWebhook, ProvisionResult } from './provision.js';

export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'createPolicy':
      return `+ create provider webhook policy (es256): ${change.reason}`;
    case 'enablePolicy':
      return `~ enable provider webhook policy ${change.policyId}: it is disabled in Xurrent`;
    case 'storePolicy':
      return `~ update the stored provider policy ${change.policyId}: ${describeDifferences(change.differences)}`;
    case 'deletePolicy':
      return `- delete provider webhook policy ${change.policyId}: ${change.reason}`;
    case 'createWebhook': {
      const apps = change.webhook.appOfferingReferences.join(', ') || 'every offering';
      const action = change.replaces === undefined ? 'create' : `recreate (delete ${change.replaces})`;
      return `+ ${action} webhook ${change.webhook.event} → ${change.webhook.uri} for ${apps}: ${change.reason}`;
    }
    case 'updateWebhook':
      return `~ update webhook ${change.webhook.event} ${change.webhookId}: ${describeDifferences(change.differences)}`;
    case 'deleteWebhook':
      return `- delete webhook ${change.event || '(no event)'} ${change.webhookId}: ${change.reason}`;
    case 'updateOffering':
      return `~ update app offering ${change.reference} (draft ${change.offeringId}): ${describeDifferences(change.differences)}`;
  }
}

export function formatProvisionResult(result: ProvisionResult): string[] {
  const lines = [`Provider account ${result.providerAccount}, receiver ${result.publicUrl}`];
  lines.push(...formatChanges(result.changes, result.dryRun, 'the provider account matches the solution'));
  lines.push(...result.problems.map((problem) => `Problem: ${problem}`));
  lines.push(...result.warnings.map((warning) => `Warning: ${warning}`));
  lines.push(...formatVerification(result));
  return lines;
}

export function formatDeprovisionResult(result: DeprovisionResult): string[] {
  return [
    `Provider account ${result.providerAccount}`,
    ...formatChanges(result.changes, result.dryRun, 'provisioning created nothing that still exists'),
    'App offerings are left as they are.',
  ];
}

/**
 * Returns whether the account is left working: no problems, and every new or re-pointed
 * webhook verified, or its verification not awaited at the caller's request.
 */
export function provisionSucceeded(result: ProvisionResult): boolean {
  if (result.problems.length > 0 || result.verification.status === 'unreachable') {
    return false;
  }
  return result.verification.status !== 'awaited' || result.verification.pending.length === 0;
}

function formatChanges(changes: readonly Change[], dryRun: boolean, unchanged: string): string[] {
  if (changes.length === 0) {
    return [`No changes: ${unchanged}.`];
  }
  const heading = dryRun ? `${changes.length} changes needed (dry run, nothing was changed):` : `${changes.length} changes made:`;
  return [heading, ...changes.map((change) => `  ${describeChange(change)}`)];
}

function formatVerification(result: ProvisionResult): string[] {
  const verification = result.verification;
  const advice =
    `Check that xac serve runs at ${result.publicUrl} with this database (XAC_DATABASE), ` +
    'then run xac provision again: it recreates webhooks that were never verified.';
  switch (verification.status) {
    case 'none':
      return [];
    case 'skipped':
      return [`Webhook verification not awaited (--verify-timeout 0): ${listWebhooks(verification.webhooks)}.`];
    case 'unreachable':
      return [`Webhooks not verified, because the receiver is not reachable: ${listWebhooks(verification.webhooks)}. ${advice}`];
    case 'awaited':
      if (verification.pending.length === 0) {
        return [`Webhooks verified: ${listWebhooks(verification.verified)}.`];
      }
      return [
        `Webhooks not verified within ${verification.timeoutMs / 1000} s: ${listWebhooks(verification.pending)}. ${advice}`,
      ];
  }
}

function listWebhooks(webhooks: readonly PendingWebhook[]): string {
  return webhooks.map((webhook) => `${webhook.event || 'webhook'} (${webhook.id})`).join(', ');
}

function describeDifferences(differences: readonly Difference[]): string {
  return differences.map((difference) => `${difference.field} ${difference.from} → ${difference.to}`).join('; ');
}
