import type { Session } from './session';

/** The outcome of saving a session: a redelivered message finds it already stored. */
export type SaveOutcome = 'created' | 'duplicate';

/** One page of sessions, newest first, with an opaque cursor to the next page when there is one. */
export interface SessionPage {
  sessions: Session[];
  nextCursor?: string;
}

/** Options for listing sessions. */
export interface ListSessionsOptions {
  limit: number;
  cursor?: string;
}

/** Where sessions are kept: saved once per sessionId, listed newest first. */
export interface SessionStore {
  save(session: Session): Promise<SaveOutcome>;
  list(options: ListSessionsOptions): Promise<SessionPage>;
}

/** A fast cache of sessions by id, written before the main store. */
export interface SessionCache {
  put(session: Session): Promise<void>;
}

/** Hands a received session from the API to the saving function (a queue in AWS). */
export interface SessionHandOff {
  handOff(session: Session): Promise<void>;
}

/** Announces new sessions to people in one message, one session or several (a Slack incoming webhook in AWS). */
export interface Notifier {
  announce(sessions: readonly Session[], signal?: AbortSignal): Promise<void>;
}

/** What the ledger says when a delivery is claimed: ours to send, already sent, or being sent elsewhere. */
export type ClaimOutcome = 'claimed' | 'delivered' | 'in-progress';

/**
 * Remembers which deliveries (an announcement, a forward) were made, so a redelivered stream record
 * is not sent twice. A claim is a lease: a crashed sender's claim lapses and the delivery can be retried.
 */
export interface DeliveryLedger {
  claim(key: string, leaseMs: number): Promise<ClaimOutcome>;
  complete(key: string): Promise<void>;
  /** Marks several deliveries done at once (the sessions one Slack message announced), in as few writes as the store allows. */
  completeAll(keys: readonly string[]): Promise<void>;
  release(key: string): Promise<void>;
}

/** Passes a new session on to the partner's system. */
export interface PartnerForwarder {
  forward(session: Session, signal?: AbortSignal): Promise<void>;
}

/** Extra keys of a log line, kept flat. */
export type LogKeys = Record<string, unknown>;

/** The service's structured log: each line carries the contract's keys plus `keys` of this logger. */
export interface SessionLog {
  info(message: string, keys?: LogKeys): void;
  warn(message: string, keys?: LogKeys): void;
  error(message: string, error: unknown, keys?: LogKeys): void;
  /** A logger whose lines also carry `keys`; the parent is unchanged, so nothing leaks between records. */
  with(keys: LogKeys): SessionLog;
}

/** The current time, injectable for tests. */
export interface Clock {
  now(): Date;
}
