import { Milestone } from '../contract';
import { settleWithConcurrency } from './bounded-concurrency';
import { sleep } from './fault-injection';
import type { ClaimOutcome, DeliveryLedger, Notifier, PartnerForwarder, SessionLog } from './ports';
import { type RetryPolicy, type RetryTimer, withRetries } from './retry';
import type { Session } from './session';

/** A new session read from the stream, with the id the event source uses to retry it. */
export interface NewSessionRecord {
  itemIdentifier: string;
  session: Session;
}

/** What a stream consumer sends with: its ledger, its log and its clock. */
export interface FanOutDeps {
  ledger: DeliveryLedger;
  log: SessionLog;
  timer: RetryTimer;
}

/** How a batch of new sessions is sent on. */
export interface FanOutOptions {
  /** Per attempt. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** How long a claim holds before another invocation may take the delivery over. */
  leaseMs: number;
}

/** How the announcements of one batch are made. */
export interface AnnounceOptions extends FanOutOptions {
  /** Sessions per Slack message; 1 announces one by one, as the seed did. */
  maxPerMessage: number;
  /** Injected delay before each message (fault drill). */
  latencyMs: number;
}

const announceKey = (session: Session) => `announce#${session.sessionId}`;
const forwardKey = (session: Session) => `forward#${session.sessionId}`;

type Claimed = { record: NewSessionRecord; outcome: ClaimOutcome | 'error' };

/** Claims each record's delivery; a ledger failure counts as not claimed (the record is retried). */
async function claimAll(
  records: readonly NewSessionRecord[],
  key: (session: Session) => string,
  deps: FanOutDeps,
  leaseMs: number,
): Promise<Claimed[]> {
  return Promise.all(
    records.map(async (record): Promise<Claimed> => {
      try {
        return { record, outcome: await deps.ledger.claim(key(record.session), leaseMs) };
      } catch (error) {
        deps.log.error('Delivery ledger claim failed', error, { sessionId: record.session.sessionId });
        return { record, outcome: 'error' };
      }
    }),
  );
}

/** Records the outcome of a delivery; a failed write is logged, never turned into a resend. */
async function settleClaim(deps: FanOutDeps, key: string, delivered: boolean): Promise<void> {
  try {
    await (delivered ? deps.ledger.complete(key) : deps.ledger.release(key));
  } catch (error) {
    deps.log.error('Delivery ledger update failed', error, { deliveryKey: key });
  }
}

/** Records that one message's deliveries were made, in one ledger write; a failure is logged, never a resend. */
async function settleDelivered(deps: FanOutDeps, keys: readonly string[]): Promise<void> {
  try {
    await deps.ledger.completeAll(keys);
  } catch (error) {
    deps.log.error('Delivery ledger update failed', error, { deliveryKeys: keys.join(',') });
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Announces the batch's new sessions in as few Slack messages as allowed ("3 new sessions: …"),
 * one message after the other to stay within the webhook's rate limit, and logs the milestone once
 * per session. Sessions already announced (a redelivered record) are skipped; returns the item
 * identifiers to retry.
 */
export async function announceNewSessions(
  records: readonly NewSessionRecord[],
  notifier: Notifier,
  deps: FanOutDeps,
  options: AnnounceOptions,
): Promise<string[]> {
  const claims = await claimAll(records, announceKey, deps, options.leaseMs);
  const failed: string[] = [];
  const toSend: NewSessionRecord[] = [];
  for (const { record, outcome } of claims) {
    if (outcome === 'claimed') toSend.push(record);
    else if (outcome === 'delivered')
      deps.log.info('Session already announced; redelivered record skipped', {
        sessionId: record.session.sessionId,
        traceId: record.session.traceId,
      });
    else failed.push(record.itemIdentifier);
  }
  for (const group of chunk(toSend, Math.max(1, options.maxPerMessage))) {
    const sessions = group.map((r) => r.session);
    try {
      await sleep(options.latencyMs);
      await withRetries(
        () => notifier.announce(sessions, AbortSignal.timeout(options.timeoutMs)),
        options.retry,
        deps.timer,
        (error, delayMs) => deps.log.warn('Slack notification retried', { delayMs, error: String(error) }),
      );
    } catch (error) {
      for (const r of group) deps.log.with(logKeys(r.session)).error('Slack notification failed', error);
      await Promise.all(group.map((r) => settleClaim(deps, announceKey(r.session), false)));
      failed.push(...group.map((r) => r.itemIdentifier));
      continue;
    }
    // The milestone is logged the moment Slack took the message (lead time ends there), before the
    // ledger writes that only guard against a resend.
    const now = deps.timer.now();
    for (const session of sessions) {
      deps.log.with(logKeys(session)).info('Slack notification for new session sent', {
        milestone: Milestone.slackNotificationSent,
        // The lead-time alarm's metric filter reads this number from the notification line (infra).
        leadTimeMs: now - Date.parse(session.createdAt),
        announcedWith: sessions.length,
      });
    }
    await settleDelivered(
      deps,
      sessions.map((session) => announceKey(session)),
    );
  }
  return failed;
}

/** Forwards each new session to the partner once, several at a time; returns the identifiers to retry. */
export async function forwardNewSessions(
  records: readonly NewSessionRecord[],
  forwarder: PartnerForwarder,
  deps: FanOutDeps,
  options: FanOutOptions & { concurrency: number },
): Promise<string[]> {
  const claims = await claimAll(records, forwardKey, deps, options.leaseMs);
  const settled = await settleWithConcurrency(claims, options.concurrency, async ({ record, outcome }) => {
    const log = deps.log.with(logKeys(record.session));
    if (outcome === 'delivered') return log.info('Session already forwarded; redelivered record skipped');
    if (outcome !== 'claimed') throw new Error(`delivery not claimed: ${outcome}`);
    try {
      await withRetries(
        () => forwarder.forward(record.session, AbortSignal.timeout(options.timeoutMs)),
        options.retry,
        deps.timer,
        (error, delayMs) => log.warn('Partner forward retried', { delayMs, error: String(error) }),
      );
    } catch (error) {
      log.error('Session forwarded to partner failed', error);
      await settleClaim(deps, forwardKey(record.session), false);
      throw error;
    }
    await settleClaim(deps, forwardKey(record.session), true);
    log.info('Session forwarded to partner', { milestone: Milestone.sessionForwarded });
  });
  return settled.filter((s) => !s.ok).map((s) => s.item.record.itemIdentifier);
}

function logKeys(session: Session): Record<string, unknown> {
  return { traceId: session.traceId, sessionId: session.sessionId };
}
