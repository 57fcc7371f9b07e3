import type { FastifyReply } from 'fastify';
import { RejectionError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { DeliveryHeaders } from './delivery-headers.js';
import { recordAndDispatch } from './dispatch.js';
import { answerVerifyCallback } from './verification/callback.js';
import type { VerifiedDelivery } from './verification/verify.js';

/**
 * Confirms a verified `webhook.verify` delivery, because Xurrent keeps a webhook inactive until
 * its callback URL is called. The callback runs before the delivery is recorded, so that a failed
 * callback leaves nothing that would make Xurrent's retry look like a duplicate.
 */
export async function answerVerifyEvent(
  runtime: Runtime,
  reply: FastifyReply,
  route: string,
  verified: VerifiedDelivery,
  headers: DeliveryHeaders,
): Promise<FastifyReply> {
  if (!headers.generated && (await runtime.store.getDelivery(headers.delivery))) {
    return reply.code(200).send({ delivery: headers.delivery, duplicate: true, message: 'delivery already recorded' });
  }
  const callback = verified.data.payload.callback;
  if (typeof callback !== 'string' || callback === '') {
    throw new RejectionError(
      'XAC_VERIFY_CALLBACK_MISSING',
      'webhook.verify delivery has no payload.callback URL; nothing to call, so the webhook stays inactive in Xurrent',
      422,
    );
  }
  await answerVerifyCallback(callback, verified.claims.iss, {
    timeoutMs: runtime.settings.verifyCallbackTimeoutMs,
    ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
  });

  const webhookName = typeof verified.data.name === 'string' ? verified.data.name : 'webhook';
  const result = await recordAndDispatch(runtime, {
    deliveryId: headers.delivery,
    jti: verified.claims.jti,
    origin: headers.deliveryOrigin,
    route,
    event: 'webhook.verify',
    summary: { ...verified.data, payload: { callback: '[called]' } },
    candidates: [],
    noMatchNote: `verification callback of ${webhookName} answered 200`,
  });
  runtime.logger.info({ deliveryId: headers.delivery, route, webhook: webhookName }, 'webhook verified');
  return reply.code(200).send({ delivery: result.delivery, duplicate: result.duplicate, message: 'Webhook verified' });
}
