import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { decodeJwt } from 'jose';
import type { RunningSimulator } from '../../src/sim/index.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The delivery's data object: the plain body, or the JWT's `data` claim (decoded, not verified). */
  data: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Response status, or a function that returns it per request. */
  status: number | ((request: ReceivedRequest) => number);
  /** Calls the callback of webhook.verify deliveries before responding. */
  autoVerify: boolean;
  close(): Promise<void>;
}

/** Starts an HTTP receiver on 127.0.0.1 that records every request it gets. */
export async function startReceiver(options: { status?: Receiver['status']; autoVerify?: boolean } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    status: options.status ?? 200,
    autoVerify: options.autoVerify ?? true,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const received: ReceivedRequest = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
          data: dataOf(body),
        };
        requests.push(received);
        if (receiver.autoVerify && received.data.event === 'webhook.verify') {
          const payload = received.data.payload as { callback: string };
          await fetch(payload.callback);
        }
        const status = typeof receiver.status === 'function' ? receiver.status(received) : receiver.status;
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ ok: status < 300 }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver did not bind');
  receiver.url = `http://127.0.0.1:${address.port}`;
  return receiver;
}

export function dataOf(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (typeof parsed.jwt === 'string') return decodeJwt(parsed.jwt).data as Record<string, unknown>;
    return parsed;
  } catch {
    return {};
  }
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<Record<string, unknown>> } & Record<string, unknown>;
  text: string;
}

/** Posts a GraphQL request with the token and the X-Xurrent-Account header. */
export async function graphql(
  sim: RunningSimulator,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
  account: string = sim.providerAccountId,
): Promise<GraphQLResponse> {
  const response = await fetch(sim.graphqlUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'X-Xurrent-Account': account },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLResponse['body'];
  try {
    body = JSON.parse(text) as GraphQLResponse['body'];
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Requests a client credentials token. */
export async function clientCredentialsToken(sim: RunningSimulator, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${sim.oauthUrl}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export function providerToken(sim: RunningSimulator): Promise<string> {
  return clientCredentialsToken(sim, sim.providerApplication.clientId, sim.providerApplication.clientSecret);
}

/** Returns a clock that tests move forward by hand. */
export function manualClock(start = Date.UTC(2026, 0, 14, 10, 0, 0)): { now(): number; advance(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}
