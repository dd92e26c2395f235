import { Milestone } from '../contract';
import { settleWithConcurrency } from './bounded-concurrency';
import { sleep } from './fault-injection';
import type { Notifier, PartnerForwarder, SessionLog } from './ports';
import type { Session } from './session';

/** A new session read from the stream, with the id the event source uses to retry it. */
export interface NewSessionRecord {
  itemIdentifier: string;
  session: Session;
}

/** How a batch of new sessions is sent on. */
export interface FanOutOptions {
  concurrency: number;
  timeoutMs: number;
}

/** Sends one session somewhere; rejects when that did not work. */
type Send = (session: Session, signal: AbortSignal) => Promise<void>;

async function sendAll(
  records: readonly NewSessionRecord[],
  send: Send,
  milestone: string,
  doneMessage: string,
  log: SessionLog,
  options: FanOutOptions & { latencyMs?: number; doneKeys?: (session: Session) => Record<string, unknown> },
): Promise<string[]> {
  const settled = await settleWithConcurrency(records, options.concurrency, async ({ session }) => {
    const recordLog = log.with({ traceId: session.traceId, sessionId: session.sessionId });
    try {
      await sleep(options.latencyMs ?? 0);
      // The timeout starts after the injected latency: the fault models a slow function, not a slow webhook.
      await send(session, AbortSignal.timeout(options.timeoutMs));
    } catch (error) {
      recordLog.error(`${doneMessage} failed`, error);
      throw error;
    }
    recordLog.info(doneMessage, { milestone, ...options.doneKeys?.(session) });
  });
  return settled.filter((s) => !s.ok).map((s) => s.item.itemIdentifier);
}

/**
 * Announces each new session, several at a time, and returns the item identifiers of those that
 * failed so only they are retried (the seed sent one by one at about a second each).
 */
export function notifyNewSessions(
  records: readonly NewSessionRecord[],
  notifier: Notifier,
  log: SessionLog,
  options: FanOutOptions & { latencyMs: number; now?: () => number },
): Promise<string[]> {
  const now = options.now ?? Date.now;
  return sendAll(
    records,
    (s, signal) => notifier.notifyNewSession(s, signal),
    Milestone.slackNotificationSent,
    'Slack notification for new session sent',
    log,
    // The lead-time alarm's metric filter reads this number from the notification line (infra).
    { ...options, doneKeys: (session) => ({ leadTimeMs: now() - Date.parse(session.createdAt) }) },
  );
}

/** Forwards each new session to the partner, several at a time; returns the identifiers that failed. */
export function forwardNewSessions(
  records: readonly NewSessionRecord[],
  forwarder: PartnerForwarder,
  log: SessionLog,
  options: FanOutOptions,
): Promise<string[]> {
  return sendAll(
    records,
    (s, signal) => forwarder.forward(s, signal),
    Milestone.sessionForwarded,
    'Session forwarded to partner',
    log,
    options,
  );
}
