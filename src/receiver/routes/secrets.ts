import type { FastifyInstance } from 'fastify';
import { RejectionError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { SecretsChangedOutput } from '../../solution/outputs.js';
import type { SecretsChangedRunbook } from '../../solution/runbooks.js';
import { readDeliveryHeaders } from '../delivery-headers.js';
import { recordAndDispatch, type Candidate } from '../dispatch.js';
import { providerPolicy } from '../provider-policy.js';
import { parseSecretBlocks } from '../secret-blocks.js';
import { appInstanceOf, webhookInfo } from '../trigger-output.js';
import { verifySignedBody } from '../verify-request.js';
import { answerVerifyEvent } from '../verify-event.js';

export const SECRETS_ROUTE = '/xurrent/secrets';
const SECRETS_EVENTS = new Set(['app_instance.secrets-update', 'integration_instance.secrets-update']);

/** Receives the provider account's `app_instance.secrets-update` webhook. */
export function registerSecretsRoute(app: FastifyInstance, runtime: Runtime): void {
  const named = [...runtime.solution.runbooks].find(([, runbook]) => runbook.kind === 'secretsChanged') as
    | [string, SecretsChangedRunbook]
    | undefined;

  app.post(SECRETS_ROUTE, async (request, reply) => {
    const headers = readDeliveryHeaders(request.headers);
    const verified = await verifySignedBody(runtime, request.body as Buffer, await providerPolicy(runtime));
    const { data, claims } = verified;

    if (data.event === 'webhook.verify') return answerVerifyEvent(runtime, reply, SECRETS_ROUTE, verified, headers);
    if (!SECRETS_EVENTS.has(data.event)) {
      throw new RejectionError(
        'XAC_EVENT_NOT_HANDLED',
        `event ${data.event} is not handled by ${SECRETS_ROUTE}, which takes app_instance.secrets-update; point that webhook at /xurrent/installations`,
        422,
      );
    }

    const { offering, customerAccountId } = appInstanceOf(data, headers);
    const appReference = offering.reference;
    const where = `${data.event} delivery ${headers.delivery} for customer ${customerAccountId} and app ${appReference}`;
    const { blocks, names } = parseSecretBlocks(data.payload, where);

    const handled = handledReferences(runtime, named?.[1]);
    const summary = {
      ...data,
      payload: { app_offering: data.payload.app_offering ?? data.payload.integration, customer_account_id: customerAccountId, blocks: names },
    };
    const delivery = {
      deliveryId: headers.delivery,
      jti: claims.jti,
      origin: headers.deliveryOrigin,
      route: SECRETS_ROUTE,
      event: data.event,
      customerAccountId,
      appReference,
      summary,
    };
    if (handled && !handled.includes(appReference)) {
      const result = await recordAndDispatch(runtime, {
        ...delivery,
        candidates: [],
        noMatchNote: `app ${appReference} is not one of this solution's apps (${handled.join(', ')}); secrets not stored`,
      });
      return reply.code(200).send(result);
    }

    const output: SecretsChangedOutput = {
      customerAccountId,
      appReference,
      appOffering: offering,
      changed: names,
      webhook: webhookInfo(data, headers),
    };
    const candidates: Candidate[] = named ? [{ name: named[0], runbook: named[1], output }] : [];
    const secrets = await runtime.secretStore.encryptBlocks(customerAccountId, appReference, blocks);
    const result = await recordAndDispatch(runtime, { ...delivery, secrets, candidates });
    runtime.logger.info(
      { deliveryId: headers.delivery, customerAccountId, appReference, blocks: names, duplicate: result.duplicate },
      'secrets-update delivery recorded',
    );
    return reply.code(200).send(result);
  });
}

/** Returns the app references whose secrets this solution keeps, or undefined to keep every app's. */
function handledReferences(runtime: Runtime, runbook: SecretsChangedRunbook | undefined): readonly string[] | undefined {
  if (runbook?.appReferences && runbook.appReferences.length > 0) return runbook.appReferences;
  return runtime.solution.appReferences.length > 0 ? runtime.solution.appReferences : undefined;
}
