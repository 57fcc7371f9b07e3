import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../runtime.js';

/** Liveness and storage check for load balancers. */
export function registerHealthRoute(app: FastifyInstance, runtime: Runtime): void {
  app.get('/healthz', async (request, reply) => {
    try {
      await runtime.store.ping();
      return reply.send({ status: 'ok', store: runtime.store.kind });
    } catch (error) {
      request.log.error({ err: error }, 'health check failed: the store did not respond');
      return reply.code(503).send({ status: 'unavailable', store: runtime.store.kind });
    }
  });
}
