/** One validation problem of a mutation, reported in the payload's `errors` as Xurrent does. */
export interface ValidationIssue {
  path: string[];
  message: string;
}

/** Raised when input is valid GraphQL but breaks a rule of the record; GraphQL maps it to payload `errors`. */
export class ValidationFailed extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    this.name = 'ValidationFailed';
  }
}

/** Raised when an id names no record of the current account; GraphQL maps it to a top-level "Not Found". */
export class RecordNotFound extends Error {
  constructor(
    readonly type: string,
    readonly id: string | number,
  ) {
    super(`${type} '${id}' not found`);
    this.name = 'RecordNotFound';
  }
}
