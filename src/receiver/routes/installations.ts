import type { FastifyInstance } from 'fastify';
import { purgeSecretsJob } from '../../engine/internal-jobs.js';
import { RejectionError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { InstallationChangedOutput } from '../../solution/outputs.js';
import { INSTALLATION_EVENTS, type InstallationEvent } from '../../solution/runbooks.js';
import { readDeliveryHeaders } from '../delivery-headers.js';
import { recordAndDispatch, type Candidate } from '../dispatch.js';
import { providerPolicy } from '../provider-policy.js';
import { appInstanceOf, booleanField, customerRepresentative, webhookInfo } from '../trigger-output.js';
import { verifySignedBody } from '../verify-request.js';
import { answerVerifyEvent } from '../verify-event.js';

export const INSTALLATIONS_ROUTE = '/xurrent/installations';

/** Receives the provider account's `app_instance.create|update|delete` webhooks. */
export function registerInstallationsRoute(app: FastifyInstance, runtime: Runtime): void {
  app.post(INSTALLATIONS_ROUTE, async (request, reply) => {
    const headers = readDeliveryHeaders(request.headers);
    const verified = await verifySignedBody(runtime, request.body as Buffer, await providerPolicy(runtime));
    const { data, claims } = verified;

    if (data.event === 'webhook.verify') return answerVerifyEvent(runtime, reply, INSTALLATIONS_ROUTE, verified, headers);
    if (!INSTALLATION_EVENTS.includes(data.event as InstallationEvent)) {
      throw new RejectionError(
        'XAC_EVENT_NOT_HANDLED',
        `event ${data.event} is not handled by ${INSTALLATIONS_ROUTE}, which takes ${INSTALLATION_EVENTS.join(', ')}; ` +
          'point app_instance.secrets-update at /xurrent/secrets',
        422,
      );
    }

    const { offering, customerAccountId } = appInstanceOf(data, headers);

    const representative = customerRepresentative(data.payload);
    const output: InstallationChangedOutput = {
      customerAccountId,
      appReference: offering.reference,
      appOffering: offering,
      disabled: booleanField(data.payload, 'disabled'),
      enabledByCustomer: booleanField(data.payload, 'enabled_by_customer'),
      suspended: booleanField(data.payload, 'suspended'),
      ...(representative ? { customerRepresentative: representative } : {}),
      webhook: webhookInfo(data, headers),
    };

    const candidates: Candidate[] = [];
    for (const [name, runbook] of runtime.solution.runbooks) {
      if (runbook.kind !== 'installationChanged' || runbook.event !== data.event) continue;
      if (runbook.appReference !== undefined && runbook.appReference !== offering.reference) continue;
      candidates.push({ name, runbook, output });
    }

    const result = await recordAndDispatch(runtime, {
      deliveryId: headers.delivery,
      jti: claims.jti,
      origin: headers.deliveryOrigin,
      route: INSTALLATIONS_ROUTE,
      event: data.event,
      customerAccountId,
      appReference: offering.reference,
      summary: data,
      candidates,
      noMatchNote: `no installationChanged runbook for ${data.event} and app ${offering.reference}`,
      // After a removal the customer's secrets go, once the delete runbooks ran and the retention passed.
      ...(data.event === 'app_instance.delete'
        ? {
            internalJobs: (receivedAt: Date) => [
              purgeSecretsJob({
                deliveryId: headers.delivery,
                customerAccountId,
                appReference: offering.reference,
                receivedAt,
                retainSecretsSeconds: runtime.solution.removal.retainSecretsSeconds,
              }),
            ],
          }
        : {}),
    });
    runtime.logger.info(
      { deliveryId: headers.delivery, event: data.event, customerAccountId, appReference: offering.reference, jobs: result.jobs.length, duplicate: result.duplicate },
      'installation delivery recorded',
    );
    return reply.code(200).send(result);
  });
}
