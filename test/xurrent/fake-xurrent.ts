/**
 * A small Fastify server on 127.0.0.1 that replaces Xurrent's OAuth and GraphQL
 * endpoints in these tests. It serves scripted responses and records every request.
 * Paths follow the simulator's layout: /oauth/token, /oauth/introspect, /graphql.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

export type Route = 'token' | 'introspect' | 'graphql';

export interface RecordedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** JSON bodies parsed; form bodies as an object of their fields. */
  body: unknown;
}

export interface ScriptedResponse {
  status?: number;
  /** Objects are sent as JSON, strings as plain text. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Milliseconds to wait before responding. */
  delayMs?: number;
}

export type Responder = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse);

const PATHS: Record<Route, { method: 'GET' | 'POST'; path: string }> = {
  token: { method: 'POST', path: '/oauth/token' },
  introspect: { method: 'GET', path: '/oauth/introspect' },
  graphql: { method: 'POST', path: '/graphql' },
};

export class FakeXurrent {
  readonly requests: Record<Route, RecordedRequest[]> = { token: [], introspect: [], graphql: [] };
  readonly #queues: Record<Route, Responder[]> = { token: [], introspect: [], graphql: [] };
  readonly #defaults: Record<Route, Responder>;
  #tokenCounter = 0;

  #baseUrl = '';

  private constructor(private readonly app: FastifyInstance) {
    this.#defaults = {
      token: () => ({ body: { access_token: `token-${++this.#tokenCounter}`, token_type: 'bearer', expires_in: 3600 } }),
      introspect: { body: { active: true, scopes: [] } },
      graphql: { status: 500, body: 'no scripted GraphQL response' },
    };
  }

  static async start(): Promise<FakeXurrent> {
    const app = Fastify({ logger: false });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    const fake = new FakeXurrent(app);
    fake.#registerRoutes();

    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('fake Xurrent did not bind a TCP port');
    }
    fake.#baseUrl = `http://127.0.0.1:${address.port}`;
    return fake;
  }

  /** For example `http://127.0.0.1:41234`. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  get tokenUrl(): string {
    return `${this.baseUrl}/oauth/token`;
  }

  get introspectUrl(): string {
    return `${this.baseUrl}/oauth/introspect`;
  }

  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }

  /** Queues responses for the next requests to a route; afterwards the default applies. */
  respond(route: Route, ...responders: Responder[]): void {
    this.#queues[route].push(...responders);
  }

  /** Replaces the response used once the queue of a route is empty. */
  setDefault(route: Route, responder: Responder): void {
    this.#defaults[route] = responder;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  #registerRoutes(): void {
    for (const route of Object.keys(PATHS) as Route[]) {
      const { method, path } = PATHS[route];
      this.app.route({
        method,
        url: path,
        handler: async (request, reply) => {
          const rawBody = typeof request.body === 'string' ? request.body : '';
          const recorded: RecordedRequest = {
            method: request.method,
            headers: { ...request.headers },
            rawBody,
            body: parseBody(request.headers['content-type'], rawBody),
          };
          this.requests[route].push(recorded);

          const responder = this.#queues[route].shift() ?? this.#defaults[route];
          const response = typeof responder === 'function' ? responder(recorded) : responder;
          if (response.delayMs !== undefined) {
            await new Promise((resolve) => setTimeout(resolve, response.delayMs));
          }
          reply.code(response.status ?? 200);
          reply.headers(response.headers ?? {});
          if (typeof response.body === 'string') {
            return reply.type('text/plain').send(response.body);
          }
          return reply.type('application/json').send(JSON.stringify(response.body ?? {}));
        },
      });
    }
  }
}

function parseBody(contentType: string | undefined, rawBody: string): unknown {
  if (rawBody === '') {
    return undefined;
  }
  if (contentType?.startsWith('application/x-www-form-urlencoded') === true) {
    return Object.fromEntries(new URLSearchParams(rawBody));
  }
  return JSON.parse(rawBody) as unknown;
}

interface FixtureFile {
  http_status: number;
  response: unknown;
}

/** Loads a response shape copied from Xurrent's connector tests (see fixtures/). */
export function fixtureResponse(name: string): ScriptedResponse {
  const path = fileURLToPath(new URL(`./fixtures/${name}.json`, import.meta.url));
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as FixtureFile;
  return { status: fixture.http_status, body: fixture.response };
}
