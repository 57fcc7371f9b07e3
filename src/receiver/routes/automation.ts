import type { FastifyInstance } from 'fastify';
import { RejectionError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { AutomationWebhookOutput } from '../../solution/outputs.js';
import { customerPolicy } from '../customer-policy.js';
import { readDeliveryHeaders } from '../delivery-headers.js';
import { recordAndDispatch, type Candidate } from '../dispatch.js';
import { describeIssues } from '../schema-issues.js';
import { appOfferingInfo, optionalString, webhookInfo } from '../trigger-output.js';
import { verifySignedBody } from '../verify-request.js';
import { answerVerifyEvent } from '../verify-event.js';

export const AUTOMATION_ROUTE = '/xurrent/automation/:appReference';

/**
 * Receives calls of the app's webhook in a customer account, made by the offering's automation
 * rules. The offering's webhookUriTemplate names the customer in `customer_account_id={account}`,
 * which selects the customer policy to verify with.
 */
export function registerAutomationRoute(app: FastifyInstance, runtime: Runtime): void {
  app.post<{ Params: { appReference: string }; Querystring: Record<string, string | undefined> }>(
    AUTOMATION_ROUTE,
    async (request, reply) => {
      const { appReference } = request.params;
      const customerAccountId = request.query.customer_account_id;
      const runbooks = [...runtime.solution.runbooks].filter(
        ([, runbook]) => runbook.kind === 'automationWebhook' && runbook.appReference === appReference,
      );
      if (runbooks.length === 0) {
        throw new RejectionError(
          'XAC_APP_UNKNOWN',
          `no automationWebhook runbook handles app ${appReference}; check the offering's webhookUriTemplate`,
          404,
        );
      }
      if (!customerAccountId) {
        throw new RejectionError(
          'XAC_CUSTOMER_ACCOUNT_MISSING',
          `the query parameter customer_account_id is missing; set the offering's webhookUriTemplate to …/xurrent/automation/${appReference}?customer_account_id={account}`,
          400,
        );
      }

      const headers = readDeliveryHeaders(request.headers);
      const policy = await customerPolicy(runtime, customerAccountId, appReference);
      const verified = await verifySignedBody(runtime, request.body as Buffer, policy);
      const { data, claims } = verified;

      // The issuer check pins the token to this customer's account URL; account_id must agree too.
      if (data.account_id !== undefined && data.account_id !== customerAccountId) {
        throw new RejectionError(
          'XAC_ACCOUNT_MISMATCH',
          `the delivery was sent by account ${data.account_id}, not by customer_account_id ${customerAccountId}`,
          401,
        );
      }
      if (data.event === 'webhook.verify') {
        return answerVerifyEvent(runtime, reply, `/xurrent/automation/${appReference}`, verified, headers);
      }
      if (data.event !== 'automation_rule') {
        throw new RejectionError(
          'XAC_EVENT_NOT_HANDLED',
          `event ${data.event} is not handled by the automation route, which takes automation_rule deliveries`,
          422,
        );
      }

      // Xurrent adds the offering and the customer account to an app's automation payload.
      const { app_offering: _offering, customer_account_id: _account, ...payload } = data.payload;
      const offering = appOfferingInfo(data.payload);
      const declaredAccount = optionalString(data.payload.customer_account_id);
      if (declaredAccount !== undefined && declaredAccount !== customerAccountId) {
        throw new RejectionError(
          'XAC_ACCOUNT_MISMATCH',
          `payload.customer_account_id ${declaredAccount} differs from the query's customer_account_id ${customerAccountId}`,
          401,
        );
      }

      const candidates: Candidate[] = [];
      for (const [name, runbook] of runbooks) {
        if (runbook.kind !== 'automationWebhook') continue;
        let parsedPayload: unknown = payload;
        if (runbook.payload) {
          const parsed = runbook.payload.safeParse(payload);
          if (!parsed.success) {
            throw new RejectionError(
              'XAC_PAYLOAD_INVALID',
              `automation_rule delivery ${headers.delivery} does not match the payload schema of runbook ${name}: ${describeIssues(parsed.error, 'payload')}; ` +
                "compare the offering's automation rule expressions with the schema",
              422,
            );
          }
          parsedPayload = parsed.data;
        }
        const output: AutomationWebhookOutput<unknown> = {
          customerAccountId,
          appReference,
          ...(offering ? { appOffering: offering } : {}),
          payload: parsedPayload,
          webhook: webhookInfo(data, headers),
        };
        candidates.push({ name, runbook, output });
      }

      const result = await recordAndDispatch(runtime, {
        deliveryId: headers.delivery,
        jti: claims.jti,
        origin: headers.deliveryOrigin,
        route: `/xurrent/automation/${appReference}`,
        event: data.event,
        customerAccountId,
        appReference,
        summary: data,
        candidates,
      });
      runtime.logger.info(
        { deliveryId: headers.delivery, customerAccountId, appReference, jobs: result.jobs.length, duplicate: result.duplicate },
        'automation delivery recorded',
      );
      return reply.code(200).send(result);
    },
  );
}
