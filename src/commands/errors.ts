/**
 * The bot core's error family. Every expected failure carries a `userMessage` that is safe to show
 * in Slack (no stack, no internals); the edge logs the rest.
 */
export class GumshoeError extends Error {
  override readonly name: string = 'GumshoeError';
  /** What the user sees in Slack. */
  readonly userMessage: string;
  constructor(message: string, userMessage: string, options?: ErrorOptions) {
    super(message, options);
    this.userMessage = userMessage;
  }
}

/** The user typed something we cannot use; `userMessage` explains how to type it. */
export class InvalidInputError extends GumshoeError {
  override readonly name = 'InvalidInputError';
}

/** A Logs Insights query ended in a terminal status other than Complete. */
export class QueryFailedError extends GumshoeError {
  override readonly name = 'QueryFailedError';
  constructor(
    message: string,
    userMessage: string,
    /** The terminal status (`Failed`, `Cancelled`, `Timeout`, `Unknown`) or the AWS error name. */
    readonly status: string,
    options?: ErrorOptions,
  ) {
    super(message, userMessage, options);
  }
}

/** The query did not finish before our own deadline; it was stopped. */
export class QueryTimeoutError extends GumshoeError {
  override readonly name = 'QueryTimeoutError';
}

/** Logs Insights refused to start the query (too many concurrent queries), even after retries. */
export class QueryLimitExceededError extends GumshoeError {
  override readonly name = 'QueryLimitExceededError';
}

/** The query text was rejected by Logs Insights: a bug on our side, never the user's. */
export class MalformedQueryError extends GumshoeError {
  override readonly name = 'MalformedQueryError';
}

/** A log group we were configured to search does not exist. */
export class LogGroupNotFoundError extends GumshoeError {
  override readonly name = 'LogGroupNotFoundError';
}

/** The logs hold nothing for what the user asked about. */
export class NoDataError extends GumshoeError {
  override readonly name = 'NoDataError';
}
