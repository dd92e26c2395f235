import type { AwsLambdaReceiver } from '@slack/bolt';

/** The Function URL handler shape Bolt's AwsLambdaReceiver produces (two arguments, no callback). */
export type SlackEventsHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/**
 * Remembers signed requests seen within Slack's 5-minute window so an identical one is refused:
 * Bolt checks only the timestamp's age. Per execution environment, which stops replays that reach
 * the same warm Lambda; a global guard would need a shared store.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number = FIVE_MINUTES_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims a signature+timestamp; false if it was already claimed within the window. */
  claim(signature: string, timestamp: string): boolean {
    const nowMs = this.now();
    for (const [key, at] of this.seen) if (nowMs - at > this.windowMs) this.seen.delete(key);
    const key = `${timestamp}:${signature}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, nowMs);
    return true;
  }

  /** Forgets a claim, used when the request turned out not to be validly signed. */
  release(signature: string, timestamp: string): void {
    this.seen.delete(`${timestamp}:${signature}`);
  }
}

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Wraps the receiver's handler so a replayed request gets 401 before Bolt sees it. */
export function withReplayGuard(handler: SlackEventsHandler, guard: ReplayGuard): SlackEventsHandler {
  return async (event, context) => {
    const signature = header(event.headers, 'x-slack-signature');
    const timestamp = header(event.headers, 'x-slack-request-timestamp');
    if (!signature || !timestamp) return handler(event, context);
    if (!guard.claim(signature, timestamp)) return { statusCode: 401, body: '' };
    const response = await handler(event, context);
    if (response.statusCode === 401) guard.release(signature, timestamp);
    return response;
  };
}
