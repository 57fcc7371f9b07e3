/** Trigger outputs: what a runbook's handler receives as `ctx.trigger`, in camelCase. */

export interface WebhookPerson {
  id?: number;
  nodeId?: string;
  name?: string;
}

/** Facts about the delivery that started the job. */
export interface WebhookInfo {
  event: string;
  /** Delivery id from `X-Xurrent-Delivery` (or the legacy `X-4me-Delivery`). */
  delivery: string;
  /** Id of the original delivery, present only on Xurrent's retries and redeliveries. */
  deliveryOrigin?: string;
  person: WebhookPerson;
}

export interface AppOfferingInfo {
  reference: string;
  id?: number;
  nodeId?: string;
  /** True when the instance moved to a new version of the offering. */
  updated?: boolean;
}

export interface CustomerRepresentative {
  id?: number;
  nodeId?: string;
  name?: string;
  disabled?: boolean;
  sourceId?: string;
  account?: { id?: string; name?: string };
}

export interface SecretsChangedOutput {
  customerAccountId: string;
  appReference: string;
  appOffering: AppOfferingInfo;
  /**
   * Names of the blocks the delivery carried. Values never reach a job record, so a handler reads them
   * through the token and config actions.
   */
  changed: {
    application: boolean;
    authorizationApplication: boolean;
    policy: boolean;
    secrets: string[];
  };
  webhook: WebhookInfo;
}

export interface InstallationChangedOutput {
  customerAccountId: string;
  appReference: string;
  appOffering: AppOfferingInfo;
  disabled: boolean;
  enabledByCustomer: boolean;
  suspended: boolean;
  customerRepresentative?: CustomerRepresentative;
  webhook: WebhookInfo;
}

export interface AutomationWebhookOutput<Payload = Record<string, unknown>> {
  customerAccountId: string;
  appReference: string;
  appOffering?: AppOfferingInfo;
  payload: Payload;
  webhook: WebhookInfo;
}

export interface JsonEndpointOutput<Body = unknown> {
  /** Taken from the body's `customer_account_id` when it has one. */
  customerAccountId?: string;
  /** Taken from the body's `app_reference` when it has one. */
  appReference?: string;
  body: Body;
  /** Request headers, lower case, without `authorization` and the endpoint's credential headers. */
  headers: Record<string, string>;
  delivery: string;
}
