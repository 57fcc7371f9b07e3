import { z } from 'zod';
import { automationWebhook, defineSolution, installationChanged, jsonEndpoint, secretsChanged } from '../../src/index.js';

/**
 * An app offering whose automation rule sends request notes to the provider. The runbooks show
 * each trigger; a real app would call its own service where these write log lines.
 */
export const APP_REFERENCE = 'note-dispatcher';

const statusSecret = process.env.NOTE_DISPATCHER_STATUS_SECRET;

export default defineSolution({
  runbooks: {
    storeSecrets: secretsChanged({ appReferences: [APP_REFERENCE] }, (ctx) => {
      const { changed, customerAccountId } = ctx.trigger;
      ctx.log.info(`secrets received for ${customerAccountId}`, {
        application: changed.application,
        authorizationApplication: changed.authorizationApplication,
        policy: changed.policy,
        secretFields: changed.secrets,
      });
    }),

    installed: installationChanged({ event: 'app_instance.create', appReference: APP_REFERENCE }, async (ctx) => {
      // The client credentials may arrive after the install; the action backs off until they do.
      const application = await ctx.clientCredentialsToken();
      ctx.log.info(`installed for ${ctx.trigger.customerAccountId}`, {
        oauthApplication: application.oauthApplicationNodeId,
        enabledByCustomer: ctx.trigger.enabledByCustomer,
      });
    }),

    updated: installationChanged({ event: 'app_instance.update', appReference: APP_REFERENCE }, (ctx) => {
      const { disabled, enabledByCustomer, suspended } = ctx.trigger;
      ctx.log.info(`instance of ${ctx.trigger.customerAccountId} changed`, { disabled, enabledByCustomer, suspended });
    }),

    removed: installationChanged({ event: 'app_instance.delete', appReference: APP_REFERENCE }, (ctx) => {
      ctx.log.info(`removed from ${ctx.trigger.customerAccountId}`);
    }),

    dispatchNote: automationWebhook(
      {
        appReference: APP_REFERENCE,
        payload: z.object({ text: z.string(), url: z.string().optional() }),
        discard: (output) => (output.payload.text.trim() === '' ? 'empty note' : false),
      },
      async (ctx) => {
        const application = await ctx.clientCredentialsToken();
        ctx.log.info(`note from ${ctx.trigger.customerAccountId}: ${ctx.trigger.payload.text}`, {
          person: ctx.trigger.webhook.person.name,
          clientId: application.clientId,
        });
      },
    ),

    // Served only when its signing secret is configured, so that the endpoint is never open.
    ...(statusSecret
      ? {
          externalStatus: jsonEndpoint(
            {
              path: 'note-dispatcher/status',
              auth: { type: 'hmac', secrets: [statusSecret] },
              body: z.object({ customer_account_id: z.string(), app_reference: z.string(), status: z.enum(['ok', 'degraded']) }),
            },
            (ctx) => {
              ctx.log.info(`external status for ${ctx.trigger.customerAccountId}: ${ctx.trigger.body.status}`);
            },
          ),
        }
      : {}),
  },
});
