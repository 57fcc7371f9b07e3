import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EndpointFault, FaultEndpoint, FaultRegistry } from './faults.js';

/** A request body kept as bytes, for uploads that are not JSON or form data. */
export interface RawBody {
  contentType: string;
  buffer: Buffer;
}

/** Adds parsers for form-urlencoded, multipart and any other body, next to Fastify's JSON parser. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw: RawBody = { contentType: String(request.headers['content-type'] ?? ''), buffer: body as Buffer };
    done(null, raw);
  });
}

export function isRawBody(value: unknown): value is RawBody {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as RawBody).buffer);
}

/** Returns a preHandler hook that applies the armed faults of an endpoint to each request. */
export function faultHook(faults: FaultRegistry, endpoint: FaultEndpoint) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await applyEndpointFaults(faults.takeEndpointFaults(endpoint), request, reply);
  };
}

async function applyEndpointFaults(
  faults: EndpointFault[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  for (const fault of faults) {
    switch (fault.kind) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        break;
      case 'status':
        await reply.code(fault.status).type('text/plain; charset=utf-8').send(`Simulated fault: HTTP ${fault.status}`);
        return;
      case 'rateLimit':
        await reply
          .code(429)
          .header('Retry-After', String(fault.retryAfterSeconds))
          .type('text/plain; charset=utf-8')
          .send(`Rate limit exceeded. Wait ${fault.retryAfterSeconds} seconds.`);
        return;
      case 'drop':
        reply.hijack();
        request.raw.socket.destroy();
        return;
      case 'malformedJson':
        await reply.code(200).type('application/json; charset=utf-8').send('{"data": {"truncated');
        return;
    }
  }
}

/** Reads one header as a string; repeated headers are joined by Node already or take the first. */
export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const authorization = headerValue(request, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  return match?.[1];
}

/** Returns the account named by `X-Xurrent-Account`, or by the legacy `X-4me-Account`. */
export function accountHeader(request: FastifyRequest): string | undefined {
  return headerValue(request, 'x-xurrent-account') ?? headerValue(request, 'x-4me-account');
}
