import type { AwsLambdaReceiver } from '@slack/bolt';
import type { ClaimStore } from '../commands/ports';
import { SLACK_SKEW_SECONDS } from './slack-request';

/** The Function URL handler shape Bolt's AwsLambdaReceiver produces (two arguments, no callback). */
export type SlackEventsHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

/**
 * Lets each signed request run once. Keyed on the parsed timestamp and signature (never the header
 * strings, which have many spellings); remembered until the timestamp leaves Slack's ±5-minute
 * window, after which the signature check refuses it anyway. An in-memory first line answers
 * repeats within one environment without I/O; the shared store (a conditional write with a TTL)
 * makes it one run across every environment.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly store?: ClaimStore) {}

  /** Claims a verified request; false if this environment or another already ran it. */
  async claim(timestamp: number, signature: string, nowSeconds: number): Promise<boolean> {
    for (const [key, expiresAt] of this.seen) if (expiresAt < nowSeconds) this.seen.delete(key);
    const key = `replay#${timestamp}#${signature}`;
    if (this.seen.has(key)) return false;
    const expiresAt = timestamp + SLACK_SKEW_SECONDS + 1;
    // Taken before the await, so concurrent copies in this environment lose without a round trip.
    this.seen.set(key, expiresAt);
    if (!this.store) return true;
    try {
      return await this.store.claim(key, expiresAt, nowSeconds);
    } catch (error) {
      this.seen.delete(key); // unknown outcome: Slack's retry may try again
      throw error;
    }
  }
}
