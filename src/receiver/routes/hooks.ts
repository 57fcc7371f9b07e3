import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { RejectionError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { JsonEndpointOutput } from '../../solution/outputs.js';
import type { JsonEndpointRunbook } from '../../solution/runbooks.js';
import { recordAndDispatch } from '../dispatch.js';
import { authenticateEndpoint } from '../endpoint-auth.js';
import { describeIssues } from '../schema-issues.js';

export const HOOKS_ROUTE = '/hooks/*';

/** Headers that carry credentials; they never reach a job record. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'webhook-signature']);
const IDEMPOTENCY_HEADERS = ['webhook-id', 'idempotency-key', 'x-request-id'];

/** Serves each jsonEndpoint runbook at `POST /hooks/<path>` for external applications. */
export function registerHooksRoute(app: FastifyInstance, runtime: Runtime): void {
  const endpoints = new Map<string, [string, JsonEndpointRunbook]>();
  for (const [name, runbook] of runtime.solution.runbooks) {
    if (runbook.kind === 'jsonEndpoint') endpoints.set(runbook.path, [name, runbook]);
  }

  app.post<{ Params: { '*': string } }>(HOOKS_ROUTE, async (request, reply) => {
    const path = request.params['*'];
    const entry = endpoints.get(path);
    if (!entry) {
      throw new RejectionError('XAC_ENDPOINT_UNKNOWN', `no jsonEndpoint runbook is served at /hooks/${path.slice(0, 128)}`, 404);
    }
    const [name, runbook] = entry;
    // Fastify runs no content type parser for a request without a body, so request.body is undefined then.
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await authenticateEndpoint(path, runbook.auth, { headers: request.headers, rawBody }, runtime.now());

    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new RejectionError('XAC_BODY_NOT_JSON', `the body sent to /hooks/${path} is not valid JSON`, 400);
    }
    if (runbook.body) {
      const parsed = runbook.body.safeParse(body);
      if (!parsed.success) {
        throw new RejectionError(
          'XAC_BODY_INVALID',
          `the body sent to /hooks/${path} does not match its schema: ${describeIssues(parsed.error, 'body')}`,
          422,
        );
      }
      body = parsed.data;
    }

    const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const customerAccountId = typeof fields.customer_account_id === 'string' ? fields.customer_account_id : undefined;
    const appReference = typeof fields.app_reference === 'string' ? fields.app_reference : undefined;
    const idempotencyKey = IDEMPOTENCY_HEADERS.map((header) => request.headers[header]).find(
      (value): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128,
    );
    const delivery = idempotencyKey ? `hook:${path}:${idempotencyKey}` : randomUUID();

    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !CREDENTIAL_HEADERS.has(key) && !(runbook.auth !== 'none' && runbook.auth.type === 'apiKey' && key === runbook.auth.header.toLowerCase())) {
        headers[key] = value;
      }
    }

    const output: JsonEndpointOutput<unknown> = {
      ...(customerAccountId ? { customerAccountId } : {}),
      ...(appReference ? { appReference } : {}),
      body,
      headers,
      delivery,
    };
    const result = await recordAndDispatch(runtime, {
      deliveryId: delivery,
      route: `/hooks/${path}`,
      event: 'json_endpoint',
      customerAccountId,
      appReference,
      summary: { path, customerAccountId, appReference },
      candidates: [{ name, runbook, output }],
    });
    runtime.logger.info({ deliveryId: delivery, path, customerAccountId, appReference, jobs: result.jobs.length }, 'endpoint request recorded');
    return reply.code(result.duplicate ? 200 : 202).send(result);
  });
}
