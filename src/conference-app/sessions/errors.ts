/** The base of every error the conference-session service raises; `userMessage` is safe to return to callers. */
export class ConferenceError extends Error {
  readonly userMessage: string;

  constructor(message: string, options?: ErrorOptions & { userMessage?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.userMessage = options?.userMessage ?? 'Internal error';
  }
}

/** One invalid field of a request: its dotted path and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A request the service refuses, with every bad field named. */
export class ValidationError extends ConferenceError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options?: ErrorOptions) {
    super(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      ...options,
      userMessage: 'Invalid request',
    });
    this.issues = issues;
  }
}

/** A failure injected on purpose by the fault settings (FAULT_SAVE_ERROR_RATE), to rehearse incidents. */
export class InjectedFaultError extends ConferenceError {
  constructor(message = 'Injected fault: save failed on purpose') {
    super(message);
  }
}

/** A pagination cursor that was not issued by this service. */
export class InvalidCursorError extends ConferenceError {
  constructor(options?: ErrorOptions) {
    super('Invalid pagination cursor', { ...options, userMessage: 'Invalid cursor' });
  }
}

/** A downstream (database, queue, webhook, partner) call that failed; wraps the original in `cause`. */
export class DownstreamError extends ConferenceError {}

/** The downstream refused the call for now (HTTP 429); `retryAfterMs` is how long it asked us to wait. */
export class RateLimitedError extends DownstreamError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}
