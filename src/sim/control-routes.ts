import type { FastifyInstance } from 'fastify';
import { CONTROL_METHODS, DEFAULT_WAIT_TIMEOUT_MS } from './control.js';
import type { ControlMethod, SimulatorControl } from './control.js';
import { SimError } from './errors.js';
import { isRawBody } from './http.js';

/**
 * Registers the HTTP control API: `POST /_sim/<method>` with the method's argument as
 * JSON body, which returns `{result}` or `{error: {code, message}}`.
 */
export function registerControlRoutes(app: FastifyInstance, control: SimulatorControl): void {
  app.get('/_sim/health', async () => ({ ok: true }));

  app.post('/_sim/:method', async (request, reply) => {
    const { method } = request.params as { method: string };
    if (!(CONTROL_METHODS as readonly string[]).includes(method)) {
      return reply.code(404).send({
        error: { code: 'SIM_NOT_FOUND', message: `Unknown control method '${method}'; use one of: ${CONTROL_METHODS.join(', ')}.` },
      });
    }
    const body: unknown = request.body === undefined || isRawBody(request.body) ? {} : request.body;
    try {
      const result = await invoke(control, method as ControlMethod, body);
      return reply.send({ result: result ?? null });
    } catch (error) {
      if (error instanceof SimError) {
        return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
      }
      throw error;
    }
  });
}

async function invoke(control: SimulatorControl, method: ControlMethod, body: unknown): Promise<unknown> {
  if (method === 'waitForDelivery') {
    const { filter, timeoutMs } = (body ?? {}) as { filter?: Record<string, unknown>; timeoutMs?: number };
    return control.waitForDelivery(filter ?? {}, timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
  }
  const operation = control[method] as (input: unknown) => Promise<unknown>;
  return operation.call(control, body);
}
