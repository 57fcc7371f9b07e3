import { z } from 'zod';

/**
 * Schema of the `data` claim of a webhook token: the webhook object that Xurrent posts
 * as the plain body when the webhook has no policy.
 *
 * Only `event` and `payload` are required. Xurrent's own connector tests sign `data`
 * objects that contain only `name`, `webhook_nodeID`, `event` and `payload`, so the
 * other fields are checked for their type when present. Unknown keys are kept, because
 * Xurrent adds fields over time (`custom_url`, `instance_name`).
 */
export const webhookDataSchema = z.looseObject({
  webhook_id: z.number().int().optional(),
  webhook_nodeID: z.string().optional(),
  account_id: z.string().optional(),
  account: z.string().optional(),
  name: z.string().optional(),
  event: z.string().min(1),
  object_id: z.number().int().nullish(),
  object_nodeID: z.string().nullish(),
  person_id: z.number().int().nullish(),
  person_nodeID: z.string().nullish(),
  person_name: z.string().nullish(),
  payload: z.record(z.string(), z.unknown()),
});

export type WebhookData = z.infer<typeof webhookDataSchema>;
