import { GumshoeError } from '../commands/errors';

/** The bot's environment is missing or malformed; says which variable. */
export class BotConfigError extends GumshoeError {
  override readonly name = 'BotConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe is not configured correctly; ask its maintainers to check the logs.', options);
  }
}

/** Slack answered 429 and its Retry-After does not fit in what is left of this invocation. */
export class SlackRateLimitedError extends GumshoeError {
  override readonly name = 'SlackRateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(
      `Slack rate limited us for ${retryAfterSeconds}s, longer than this invocation has left`,
      'Slack is rate limiting Gumshoe; try again in a minute.',
      options,
    );
  }
}

/** A response_url refused our message (expired, used five times, or Slack was unreachable). */
export class ResponseUrlError extends GumshoeError {
  override readonly name = 'ResponseUrlError';
  constructor(
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(`response_url answered HTTP ${status}`, 'Gumshoe could not deliver its answer.', options);
  }
}

/** A response_url outside the deployment's policy (SLACK_RESPONSE_URL_HOSTS): nothing was sent. */
export class ResponseUrlRefusedError extends GumshoeError {
  override readonly name = 'ResponseUrlRefusedError';
  constructor(options?: ErrorOptions) {
    super(
      "response_url is not one of Slack's response hosts",
      'Gumshoe could not deliver its answer.',
      options,
    );
  }
}
