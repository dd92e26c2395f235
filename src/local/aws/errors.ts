/** Base of every error the local AWS endpoint raises for its own reasons (not wire errors). */
export class LocalAwsError extends Error {
  override readonly name: string = 'LocalAwsError';
}

/** Options of an {@link AwsServiceError}. */
export interface AwsServiceErrorOptions extends ErrorOptions {
  /** HTTP status; AWS sends 400 for client faults. */
  readonly status?: number;
  /** Extra members of the error shape (e.g. `queryCompileError`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The awsQuery error code for query-compatible services (SQS), sent in `x-amzn-query-error`. */
  readonly queryCode?: string;
  /** Namespace prefixed to `__type` (query-compatible services use the shape id). */
  readonly namespace?: string;
}

/** An expected failure sent back to the client as the service's own error shape. */
export class AwsServiceError extends LocalAwsError {
  override readonly name: string = 'AwsServiceError';
  readonly status: number;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly queryCode: string | undefined;
  readonly namespace: string | undefined;

  constructor(
    readonly code: string,
    message: string,
    options: AwsServiceErrorOptions = {},
  ) {
    super(message, options);
    this.status = options.status ?? 400;
    this.fields = options.fields ?? {};
    this.queryCode = options.queryCode;
    this.namespace = options.namespace;
  }
}

/** The error AWS sends for an operation or target it does not know. */
export function unknownOperation(target: string): AwsServiceError {
  return new AwsServiceError('UnknownOperationException', `Unknown operation ${target}`);
}
