import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SimulatorState } from './state.js';
import { completeVerification } from './webhooks.js';

/** Registers the pages served under account URLs: the webhook.verify callbacks and a small account document. */
export function registerAccountRoutes(app: FastifyInstance, deps: { state: SimulatorState; logger: Logger }): void {
  const { state, logger } = deps;

  app.get('/accounts/:account/webhooks/:id/verify', async (request, reply) => {
    const params = request.params as { account: string; id: string };
    const query = request.query as { code?: string };
    const webhookId = Number(params.id);
    const result = completeVerification(state, params.account, webhookId, query.code);
    logger.info({ webhookId, account: params.account, result }, 'webhook verification callback');
    switch (result) {
      case 'verified':
        return reply.code(200).send({ message: 'Webhook verified' });
      case 'not_found':
        return reply.code(404).send({ message: `Webhook ${params.id} not found in account '${params.account}'.` });
      case 'invalid_code':
        return reply.code(404).send({ message: 'Invalid verification code; use the callback URL of the latest webhook.verify delivery.' });
      case 'expired':
        return reply.code(410).send({ message: 'Verification code expired; update the webhook uri to get a new webhook.verify.' });
    }
  });

  app.get('/accounts/:account', async (request, reply) => {
    const { account: accountId } = request.params as { account: string };
    const account = state.accounts.get(accountId);
    if (!account) return reply.code(404).send({ message: `Account '${accountId}' not found.` });
    return reply.send({ id: account.id, name: account.name, url: state.accountUrl(account.id) });
  });
}
