/**
 * Error catalogue of the runtime. Each error has a stable code, the HTTP status of the
 * receiver's response when the error ends a request, and a message that names the value and the fix.
 */
export class XacError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 500, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XacError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

export class ConfigError extends XacError {
  constructor(message: string) {
    super('XAC_CONFIG_INVALID', message, 500);
    this.name = 'ConfigError';
  }
}

export class SolutionError extends XacError {
  constructor(message: string) {
    super('XAC_SOLUTION_INVALID', message, 500);
    this.name = 'SolutionError';
  }
}

/** A rejected delivery or request: the receiver responds with this status and message. */
export class RejectionError extends XacError {
  constructor(code: string, message: string, statusCode = 400) {
    super(code, message, statusCode);
    this.name = 'RejectionError';
  }
}

export class SecretStoreError extends XacError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 500, options);
    this.name = 'SecretStoreError';
  }
}

export class NotFoundError extends XacError {
  constructor(message: string) {
    super('XAC_NOT_FOUND', message, 404);
    this.name = 'NotFoundError';
  }
}
