import type { ReturnReason } from './deliver-alarms';

/** How soon a record handed back to the alarm queue is received again. */
export interface RedeliveryOptions {
  /** The first delay after a failure (default 10 s); each later receive waits `factor` times longer. */
  readonly firstDelaySeconds?: number;
  readonly factor?: number;
  /** Records cut for lack of time or held by another invocation come back after this (default 30 s). */
  readonly deferredDelaySeconds?: number;
}

/**
 * The visibility timeout to give a record handed back: a deferred or held record soon, a failed one
 * with exponential backoff on its receive count (10 s, 40 s, 160 s, 640 s by default), so a
 * 20-second Slack outage costs about a minute, while the 5 receives before the DLQ still span
 * about 14 minutes of outage.
 */
export function redeliveryDelaySeconds(
  reason: ReturnReason,
  receiveCount: number,
  options: RedeliveryOptions = {},
): number {
  if (reason !== 'failed') return options.deferredDelaySeconds ?? 30;
  const first = options.firstDelaySeconds ?? 10;
  const factor = options.factor ?? 4;
  // SQS allows at most 12 hours.
  return Math.min(43_200, Math.round(first * factor ** Math.max(0, receiveCount - 1)));
}
