/** Base of every error the local runner raises; `userMessage` is safe to show to a caller. */
export class LocalRunnerError extends Error {
  override readonly name: string = 'LocalRunnerError';
  readonly userMessage: string;

  constructor(message: string, options?: ErrorOptions & { userMessage?: string }) {
    super(message, options);
    this.userMessage = options?.userMessage ?? message;
  }
}

/** The named function is not among the runner's functions (Lambda's ResourceNotFoundException). */
export class FunctionNotFoundError extends LocalRunnerError {
  override readonly name = 'FunctionNotFoundError';

  constructor(readonly functionName: string) {
    super(`Function not found: ${functionName}`);
  }
}

/** The runner was closed while an invocation waited or ran. */
export class RunnerClosedError extends LocalRunnerError {
  override readonly name = 'RunnerClosedError';
}
