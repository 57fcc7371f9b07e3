import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { findApplicationByClientId } from './accounts.js';
import type { FaultRegistry } from './faults.js';
import { accountHeader, bearerToken, faultHook, headerValue, isRawBody } from './http.js';
import { randomUrlToken } from './ids.js';
import type { OauthApplicationRecord, SimulatorState } from './state.js';
import { findActiveToken, issueTokens, revokeTokensOfCode } from './tokens.js';
import type { IssuedTokens } from './tokens.js';

const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60 * 1000;

type OauthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

class OauthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: OauthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

/** Registers `/oauth/token`, `/oauth/authorize` and `/oauth/introspect`. */
export function registerOauthRoutes(
  app: FastifyInstance,
  deps: { state: SimulatorState; faults: FaultRegistry; logger: Logger },
): void {
  const { state, faults, logger } = deps;

  const countTokenRequest = async (request: FastifyRequest): Promise<void> => {
    const clientId = readParams(request).client_id ?? basicCredentials(request)?.clientId ?? '';
    state.tokenRequestTotal += 1;
    state.tokenRequests.set(clientId, (state.tokenRequests.get(clientId) ?? 0) + 1);
  };

  app.post('/oauth/token', { preHandler: [countTokenRequest, faultHook(faults, 'oauth')] }, async (request, reply) => {
    try {
      const tokens = grantTokens(state, request);
      logger.info({ clientId: tokens.clientId, grantType: tokens.grantType }, 'issued access token');
      const body: Record<string, unknown> = {
        access_token: tokens.issued.access.token,
        token_type: 'bearer',
        expires_in: state.tokenLifetimeSeconds,
      };
      if (tokens.issued.refresh) body.refresh_token = tokens.issued.refresh.token;
      return reply.code(200).header('Cache-Control', 'no-store').send(body);
    } catch (error) {
      if (!(error instanceof OauthError)) throw error;
      logger.info({ error: error.error }, 'rejected token request');
      return reply.code(error.status).send({ error: error.error, error_description: error.description });
    }
  });

  app.get('/oauth/authorize', async (request, reply) => authorize(state, request, reply));

  app.get('/oauth/introspect', async (request, reply) => {
    const token = findActiveToken(state, bearerToken(request));
    if (!token) {
      return reply.code(401).send({ message: 'Invalid or expired access token; request a new one at /oauth/token.' });
    }
    if (accountHeader(request) !== token.accountId) {
      return reply.code(400).send({ message: 'Invalid x-xurrent-account header' });
    }
    return reply.send({ active: true, scopes: token.scopes });
  });
}

function grantTokens(
  state: SimulatorState,
  request: FastifyRequest,
): { issued: IssuedTokens; clientId: string; grantType: string } {
  const params = readParams(request);
  const basic = basicCredentials(request);
  const clientId = params.client_id ?? basic?.clientId;
  const clientSecret = params.client_secret ?? basic?.clientSecret;
  const grantType = params.grant_type;

  if (grantType === undefined) {
    throw new OauthError(400, 'invalid_request', 'Missing grant_type; use client_credentials, authorization_code or refresh_token.');
  }
  if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grantType)) {
    throw new OauthError(
      400,
      'unsupported_grant_type',
      `Unsupported grant_type '${grantType}'; use client_credentials, authorization_code or refresh_token.`,
    );
  }
  if (clientId === undefined || clientSecret === undefined) {
    throw new OauthError(400, 'invalid_request', 'Missing client_id or client_secret.');
  }
  const application = authenticateClient(state, clientId, clientSecret);

  if (grantType === 'client_credentials') {
    requireGrantType(application, 'client_credentials');
    return { issued: issueTokens(state, application, { withRefreshToken: false, authorizationCode: null }), clientId, grantType };
  }
  requireGrantType(application, 'authorization_code');
  if (grantType === 'authorization_code') {
    return { issued: redeemCode(state, application, params), clientId, grantType };
  }
  return { issued: redeemRefreshToken(state, application, params), clientId, grantType };
}

function authenticateClient(state: SimulatorState, clientId: string, clientSecret: string): OauthApplicationRecord {
  const application = findApplicationByClientId(state, clientId);
  // Xurrent returns the same error for unknown clients and wrong secrets: 400 invalid_grant "Invalid client credentials".
  if (!application || application.clientSecret !== clientSecret) {
    throw new OauthError(400, 'invalid_grant', 'Invalid client credentials');
  }
  if (application.disabled) {
    throw new OauthError(401, 'invalid_client', `OAuth application '${clientId}' is disabled; enable the app instance first.`);
  }
  return application;
}

function requireGrantType(application: OauthApplicationRecord, grantType: OauthApplicationRecord['grantType']): void {
  if (application.grantType !== grantType) {
    throw new OauthError(
      400,
      'unauthorized_client',
      `OAuth application '${application.clientId}' has grant type ${application.grantType}; it cannot use ${grantType}.`,
    );
  }
}

function redeemCode(state: SimulatorState, application: OauthApplicationRecord, params: Record<string, string>): IssuedTokens {
  if (params.code === undefined) throw new OauthError(400, 'invalid_request', 'Missing code.');
  const code = state.authorizationCodes.get(params.code);
  if (!code || code.applicationId !== application.id) {
    throw new OauthError(400, 'invalid_grant', 'Invalid authorization code.');
  }
  if (code.used) {
    revokeTokensOfCode(state, code.code);
    throw new OauthError(400, 'invalid_grant', 'Authorization code was already used; the tokens issued from it are revoked.');
  }
  if (code.expiresAt <= state.now()) {
    throw new OauthError(400, 'invalid_grant', 'Authorization code expired (codes live 10 minutes); authorize again.');
  }
  if (params.redirect_uri !== code.redirectUri) {
    throw new OauthError(400, 'invalid_grant', `redirect_uri '${params.redirect_uri ?? ''}' differs from the one used at /oauth/authorize.`);
  }
  code.used = true;
  return issueTokens(state, application, { withRefreshToken: true, authorizationCode: code.code });
}

function redeemRefreshToken(
  state: SimulatorState,
  application: OauthApplicationRecord,
  params: Record<string, string>,
): IssuedTokens {
  if (params.refresh_token === undefined) throw new OauthError(400, 'invalid_request', 'Missing refresh_token.');
  const refresh = state.refreshTokens.get(params.refresh_token);
  if (!refresh || refresh.applicationId !== application.id || refresh.revoked || refresh.expiresAt <= state.now()) {
    throw new OauthError(400, 'invalid_grant', 'Invalid, revoked or expired refresh token; authorize again.');
  }
  // Refresh tokens rotate: the old one stops working once it is redeemed.
  refresh.revoked = true;
  return issueTokens(state, application, { withRefreshToken: true, authorizationCode: refresh.authorizationCode });
}

async function authorize(state: SimulatorState, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const query = request.query as Record<string, string | undefined>;
  const application = query.client_id === undefined ? undefined : findApplicationByClientId(state, query.client_id);
  if (!application || application.grantType !== 'authorization_code') {
    return reply.code(400).send({
      error: 'invalid_request',
      error_description: `Unknown client_id '${query.client_id ?? ''}'; use the client id of an authorization_code OAuth application.`,
    });
  }

  const redirectUri = query.redirect_uri;
  // An application with registered redirect URIs accepts only those, checked before any redirect,
  // so a bad link cannot send a code elsewhere. One without any accepts every URI, for short tests.
  if (redirectUri === undefined || (application.redirectUris.length > 0 && !application.redirectUris.includes(redirectUri))) {
    return reply.code(400).send({
      error: 'invalid_request',
      error_description: `redirect_uri '${redirectUri ?? ''}' is not registered; use one of: ${application.redirectUris.join(', ') || '(none)'}.`,
    });
  }

  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return reply.code(400).send({ error: 'invalid_request', error_description: `redirect_uri '${redirectUri}' is not an absolute URL.` });
  }
  if (query.state !== undefined) target.searchParams.set('state', query.state);
  if (query.response_type !== 'code') {
    target.searchParams.set('error', 'invalid_request');
    target.searchParams.set('error_description', `Unsupported response_type '${query.response_type ?? ''}'; use code.`);
    return reply.redirect(target.toString(), 302);
  }

  const code = randomUrlToken(24);
  state.authorizationCodes.set(code, {
    code,
    applicationId: application.id,
    redirectUri,
    expiresAt: state.now() + AUTHORIZATION_CODE_LIFETIME_MS,
    used: false,
  });
  target.searchParams.set('code', code);
  return reply.redirect(target.toString(), 302);
}

function readParams(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || isRawBody(body)) return {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') params[key] = value;
  }
  return params;
}

function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const authorization = headerValue(request, 'authorization');
  const match = authorization === undefined ? null : /^Basic\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, separator)),
    clientSecret: decodeURIComponent(decoded.slice(separator + 1)),
  };
}
