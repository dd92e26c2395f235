/**
 * Errors of the X-Ray and alarm core. Stand-in until src/commands/errors.ts (GumshoeError) lands:
 * same shape — `name` set, `{ cause }` chained, a `userMessage` safe to show in Slack.
 */
export class InvalidTraceInputError extends Error {
  override readonly name = 'InvalidTraceInputError';
  constructor(
    message: string,
    readonly userMessage: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
