import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { XacError } from '../errors.js';
import { VerificationError } from './verification/errors.js';

export interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

/**
 * Maps every error to a status and a JSON body that names what failed. Rejections are 4xx and
 * logged at warn, so that an operator sees the deliveries that Xurrent will retry. Anything else
 * is a 500 whose body names only the request id, never a stack.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = 500;
  let code = 'XAC_INTERNAL_ERROR';
  let message = `internal error; look for request id ${request.id} in the server log`;

  if (error instanceof VerificationError) {
    status = error.status;
    code = error.code;
    message = error.message;
  } else if (error instanceof XacError) {
    status = error.statusCode;
    code = error.code;
    message = error.message;
  } else if (isFastifyClientError(error)) {
    status = error.statusCode!;
    code = error.code;
    message = clientErrorMessage(error, request);
  }

  if (status >= 500) request.log.error({ err: error, code }, 'request failed');
  else request.log.warn({ code, status, reason: message }, 'request rejected');
  const body: ErrorBody = { error: code, message, requestId: String(request.id) };
  return reply.code(status).send(body);
}

function isFastifyClientError(error: unknown): error is FastifyError {
  const candidate = error as Partial<FastifyError> | null;
  return typeof candidate?.statusCode === 'number' && candidate.statusCode >= 400 && candidate.statusCode < 500 && typeof candidate.code === 'string';
}

function clientErrorMessage(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    // JSON endpoints receive bodies from external applications too, so the message names the limit and its setting.
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes; check the sender, or raise XAC_BODY_LIMIT_BYTES`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'content type is not supported; send application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body is empty; send a JSON object';
    default:
      return error.message;
  }
}
