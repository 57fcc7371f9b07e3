/** Stable error codes of the simulator, each with the HTTP status that the control API returns for it. */
export const SIM_ERROR_STATUS = {
  SIM_INVALID_ARGUMENT: 400,
  SIM_NOT_FOUND: 404,
  SIM_CONFLICT: 409,
  SIM_TIMEOUT: 408,
} as const;

export type SimErrorCode = keyof typeof SIM_ERROR_STATUS;

/** Error raised by control operations, with a message that names the value and the fix. */
export class SimError extends Error {
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string) {
    super(message);
    this.name = 'SimError';
    this.code = code;
  }

  get statusCode(): number {
    return SIM_ERROR_STATUS[this.code];
  }
}
