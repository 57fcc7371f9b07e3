import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';
import { handleError } from './errors-to-http.js';
import { registerAutomationRoute } from './routes/automation.js';
import { registerHealthRoute } from './routes/health.js';
import { registerHooksRoute } from './routes/hooks.js';
import { registerInstallationsRoute } from './routes/installations.js';
import { registerSecretsRoute } from './routes/secrets.js';

/**
 * Builds the receiver: one route per trigger kind. Bodies are kept as raw bytes because the
 * verifier parses the envelope itself and HMAC signatures cover the exact bytes sent.
 */
export function buildReceiver(runtime: Runtime): FastifyInstance {
  const app = Fastify({
    loggerInstance: runtime.logger.child({ component: 'receiver' }) as FastifyBaseLogger,
    bodyLimit: runtime.settings.bodyLimitBytes,
    return503OnClosing: true,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'XAC_ROUTE_NOT_FOUND',
      message: `no route for ${request.method} ${request.url.split('?')[0]}; see the receiver's routes in the README`,
      requestId: String(request.id),
    }),
  );

  registerHealthRoute(app, runtime);
  registerSecretsRoute(app, runtime);
  registerInstallationsRoute(app, runtime);
  registerAutomationRoute(app, runtime);
  registerHooksRoute(app, runtime);

  for (const [name, runbook] of runtime.solution.runbooks) {
    if (runbook.kind === 'jsonEndpoint' && runbook.auth === 'none') {
      runtime.logger.warn(
        { runbook: name, path: `/hooks/${runbook.path}` },
        'endpoint has auth: none; anyone who can reach it can run this runbook with any customer\'s credentials',
      );
    }
  }
  return app;
}
