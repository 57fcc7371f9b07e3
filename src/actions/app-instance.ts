import { FailSignal } from '../engine/signals.js';
import type { AppInstanceTarget, CustomerApp } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import type { XurrentGraphqlClient } from '../xurrent/graphql-client.js';
import { resolveTarget } from './target.js';

/** The fields of an app instance that the config actions read. */
export interface AppInstanceNode {
  id: string;
  customFields: Array<{ id: string; value: unknown }> | null;
  disabled: boolean | null;
  enabledByCustomer: boolean | null;
  suspended: boolean | null;
  suspensionComment: string | null;
}

// The lookup of Xurrent's iPaaS "Retrieve App Config" action: the customer account is matched by its id string.
const APP_INSTANCE_QUERY = `query AppInstanceOfCustomer($appReference: String!, $customerAccountId: String!) {
  appInstances(first: 1, filter: {
    appOfferingReference: { values: [$appReference] },
    customerAccount: { values: [$customerAccountId] }
  }) {
    nodes { id customFields { id value } disabled enabledByCustomer suspended suspensionComment }
  }
}`;

/** Returns the customer account and app of an action: both options, or neither and the trigger's. */
export function resolveInstanceTarget(job: JobRecord, options: AppInstanceTarget, action: string): CustomerApp {
  const explicit = options.customerAccountId !== undefined || options.appReference !== undefined;
  return resolveTarget(
    job,
    explicit ? { customerAccountId: options.customerAccountId ?? '', appReference: options.appReference ?? '' } : undefined,
    action,
  );
}

/** Finds the app instance of a customer account and app in the provider account; fails the job when there is none. */
export async function findAppInstance(client: XurrentGraphqlClient, target: CustomerApp, action: string): Promise<AppInstanceNode> {
  const data = await client.query<{ appInstances: { nodes: AppInstanceNode[] } | null }>(APP_INSTANCE_QUERY, {
    appReference: target.appReference,
    customerAccountId: target.customerAccountId,
  });
  const instance = data.appInstances?.nodes[0];
  if (!instance) {
    throw new FailSignal(
      `${action}: no app instance of app ${target.appReference} for customer ${target.customerAccountId} in provider account ${client.account}; ` +
        'is the app installed in that account, and does the provider OAuth application have the app-instance:Read scope?',
    );
  }
  return instance;
}
