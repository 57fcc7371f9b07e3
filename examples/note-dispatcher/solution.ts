import { z } from 'zod';
import { automationWebhook, defineSolution, installationChanged, jsonEndpoint, secret, secretsChanged } from 'xurrent-app-connector';

/**
 * An app offering whose automation rule sends request notes to the provider. The runbooks show
 * each trigger; a real app would call its own service where these write log lines.
 */
export const APP_REFERENCE = 'note-dispatcher';

/** The offering's configuration form: a region, and an API token in a secret field. */
const configSchema = z.object({
  region: z.enum(['eu', 'us']),
  api_token: secret(z.string().min(1)),
});

const UPLOAD_DISCOVERED_CI = `mutation UploadNote($input: DiscoveredConfigurationItemsInput!) {
  discoveredConfigurationItems(input: $input) {
    errors { path message }
    asyncQuery { resultUrl }
  }
}`;

interface DiscoveredResult {
  data?: { discoveredConfigurationItems?: { configurationItems?: unknown[]; errors?: unknown[] } };
}

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
      // The client credentials and the secret field may arrive after the install; both actions back off until they do.
      const application = await ctx.clientCredentialsToken();
      const { config } = await ctx.retrieveAppConfig({ schema: configSchema });
      // A real app would check config.api_token against its service here; it is never logged.
      await ctx.updateAppConfig({ customFields: { status: `connected (${config.region})` } });
      ctx.log.info(`installed for ${ctx.trigger.customerAccountId}`, {
        oauthApplication: application.oauthApplicationNodeId,
        enabledByCustomer: ctx.trigger.enabledByCustomer,
        region: config.region,
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
        const { text } = ctx.trigger.payload;

        // Records the note as a discovered CI in the customer account. The upload is a step, so
        // the runs after a backoff below reuse its result URL instead of uploading again.
        const resultUrl = await ctx.step('upload discovered CI', async () => {
          const client = await ctx.xurrent();
          const payload = await client.mutate<{ asyncQuery: { resultUrl: string } }>('discoveredConfigurationItems', UPLOAD_DISCOVERED_CI, {
            input: {
              source: APP_REFERENCE,
              physicalAssets: [{ configurationItems: [{ sourceID: `note-${ctx.trigger.webhook.delivery}`, name: text.slice(0, 80) }] }],
            },
          });
          return payload.asyncQuery.resultUrl;
        });
        // Xurrent suggests polling async results every couple of seconds.
        for await (const { body } of ctx.asyncUrls([resultUrl], { backoff: 2 })) {
          const result = (body as DiscoveredResult).data?.discoveredConfigurationItems;
          ctx.log.info(`note from ${ctx.trigger.customerAccountId}: ${text}`, {
            person: ctx.trigger.webhook.person.name,
            clientId: application.clientId,
            configurationItems: result?.configurationItems?.length ?? 0,
            errors: result?.errors?.length ?? 0,
          });
        }
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
