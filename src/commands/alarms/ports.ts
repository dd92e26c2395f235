import { GumshoeError } from '../errors';
import type { Block, SlackMessage } from '../slack/block-kit';
import type { AlarmEvent, ParsedNotification } from './alarm-event';
import type { AlarmThreadState } from './alarm-thread';

/** One notification the alarm Lambda received, with the id its batch failure would name. */
export interface IncomingNotification {
  /** The SQS message id (what `batchItemFailures[].itemIdentifier` carries), or the delivery's own id. */
  readonly itemIdentifier: string;
  /** How many times the queue has handed this record out (1 on the first receive). */
  readonly receiveCount: number;
  readonly notification: ParsedNotification;
}

/** What we keep per alarm: the conversation and the normalised alarm its message is drawn from. */
export interface AlarmRecord {
  readonly state: AlarmThreadState;
  /** The latest state change, normalised once when it arrived (never the raw notification). */
  readonly alarm?: AlarmEvent;
  readonly errorLines?: readonly string[];
  readonly traceId?: string;
  /** The function whose trace `traceId` is (the Open X-Ray trace button says so). */
  readonly traceFunction?: string;
  /** Optimistic-locking counter; absent before the first save. */
  readonly version?: number;
}

/** Where a post whose outcome Slack left unknown was going, so a retry can look for it first. */
export interface UncertainPost {
  readonly since: Date;
  readonly channel: string;
  readonly threadTs?: string;
}

/** The outcome of claiming a delivery key. */
export type DeliveryClaim =
  | { readonly status: 'claimed'; readonly uncertain?: UncertainPost }
  | { readonly status: 'done' }
  | { readonly status: 'in-progress' };

/** One alarm named in a channel's storm summary. */
export interface StormEntry {
  /** The delivery key: a redelivered batch does not list an alarm twice. */
  readonly key: string;
  /** 0 ALARM, 1 INSUFFICIENT_DATA, 2 OK, 3 unrecognised: the summary lists the most severe first. */
  readonly severity: number;
  /** `ALARM`, `OK`, `INSUFFICIENT_DATA` or `unrecognised`, for the counts. */
  readonly state: string;
  /** The summary line (mrkdwn, escaped). */
  readonly line: string;
}

/** A channel's live storm: one summary message that every batch of the storm adds its alarms to. */
export interface StormRecord {
  readonly channelId: string;
  /** The summary message, once posted. */
  readonly ts?: string;
  /** A batch arriving before this (epoch ms) joins the storm instead of posting on its own. */
  readonly openUntil: number;
  readonly entries: readonly StormEntry[];
  /** Optimistic-locking counter; absent before the first save. */
  readonly version?: number;
}

/**
 * The alarm-state table: one conversation per alarm ARN, one delivery marker per state change
 * (claimed → done, or back to unclaimed), and the channel's shared post slots.
 */
export interface AlarmStateStore {
  get(alarmArn: string): Promise<AlarmRecord | undefined>;
  /** Saves if nobody saved since `expectedVersion` was read (undefined: the item must not exist). */
  save(record: AlarmRecord, expectedVersion: number | undefined): Promise<AlarmRecord>;
  /** Every alarm whose conversation is in `state` (for reminders). */
  listInState(state: AlarmThreadState['state']): Promise<AlarmRecord[]>;
  /** Takes the key for this invocation unless it is done or another holds an unexpired claim. */
  claimMessage(key: string, now: Date, leaseMs: number): Promise<DeliveryClaim>;
  /** Marks a claimed key delivered (kept for the table's TTL). */
  completeMessage(key: string, now: Date): Promise<void>;
  /** Gives a claim back after a failure; with `uncertain`, the retry first looks for that post. */
  releaseMessage(key: string, uncertain?: UncertainPost): Promise<void>;
  /**
   * Reserves the channel's next post slot, shared by every invocation: returns the epoch ms at which
   * this post may go (`max(nowMs, next free slot)`) and moves the next free slot `intervalMs` later.
   */
  reservePostSlot(channelId: string, nowMs: number, intervalMs: number): Promise<number>;
  /** The channel's latest storm, open or not. */
  getStorm(channelId: string): Promise<StormRecord | undefined>;
  /** Saves if nobody saved since `expectedVersion` was read; else {@link AlarmStateConflictError}. */
  saveStorm(storm: StormRecord, expectedVersion: number | undefined): Promise<StormRecord>;
}

/** A message for the channel: blocks, plus the coloured attachment alarm messages carry. */
export interface ChatMessage extends Omit<SlackMessage, 'blocks'> {
  readonly blocks?: SlackMessage['blocks'];
  readonly attachments?: readonly {
    readonly color: string;
    readonly fallback: string;
    readonly blocks: Block[];
  }[];
}

/** Where a message landed. */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/** What the alarm use cases need from Slack. */
export interface AlarmChat {
  /** Posts once (the adapter never retries a post itself); `key` marks the post so it can be found again. */
  post(
    target: { readonly channel: string; readonly threadTs?: string },
    message: ChatMessage,
    key?: string,
  ): Promise<PostedMessage>;
  update(target: PostedMessage, message: ChatMessage): Promise<void>;
  /** The post marked `key` since `uncertain.since`, if Slack made it although the call failed. */
  findPost(key: string, uncertain: UncertainPost): Promise<PostedMessage | undefined>;
  uploadImage(
    target: PostedMessage,
    image: Uint8Array,
    file: { readonly name: string; readonly title: string },
  ): Promise<void>;
}

/** What the alarm edge needs from CloudWatch: the graph and the one-time mute rules. */
export interface AlarmControl {
  /** A PNG of the alarm's metric around the state change, or undefined when there is nothing to draw. */
  metricImage(alarm: AlarmEvent): Promise<Uint8Array | undefined>;
  /** Mutes every action of the alarm from `now` for `durationMs` with a one-time mute rule. */
  mute(alarmName: string, now: Date, durationMs: number): Promise<void>;
  /** Removes the mute rule {@link mute} created. */
  unmute(alarmName: string): Promise<void>;
}

/** Time as the alarm use cases see it: the clock, waiting, and the invocation's deadline. */
export interface AlarmTimer {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
  /** Lambda's `getRemainingTimeInMillis`. */
  remainingMs(): number;
}

/** What an alarm use case logs (the edge's logger). */
export type AlarmLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  detail: Record<string, unknown>,
) => void;

/** Someone saved the alarm's state between our read and our write. */
export class AlarmStateConflictError extends GumshoeError {
  override readonly name = 'AlarmStateConflictError';
  constructor(alarmArn: string, options?: ErrorOptions) {
    super(
      `alarm state of ${alarmArn} changed concurrently`,
      'The alarm changed meanwhile; try again.',
      options,
    );
  }
}

/** Reading or writing the alarm-state table failed. */
export class AlarmStateStoreError extends GumshoeError {
  override readonly name = 'AlarmStateStoreError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe could not read or save the alarm state; try again.', options);
  }
}

/** How a Slack call failed, as far as the alarm path must tell failures apart. */
export const ChatFailure = {
  /** The channel, thread or message is gone or closed to us: retrying cannot help. */
  gone: 'gone',
  /** Slack may have made the post (5xx, timeout): look before posting again. */
  unknown: 'unknown',
  /** 429 beyond what this invocation can wait. */
  rateLimited: 'rate-limited',
  /** Anything else (Slack refused the call): retry later. */
  failed: 'failed',
} as const;
export type ChatFailure = (typeof ChatFailure)[keyof typeof ChatFailure];

/** A Slack call of the alarm path failed; `failure` says whether and how to retry. */
export class AlarmChatError extends GumshoeError {
  override readonly name = 'AlarmChatError';
  constructor(
    readonly failure: ChatFailure,
    /** Slack's error code (`not_in_channel`, `internal_error` …) or the transport's. */
    readonly code: string,
    options?: ErrorOptions & { retryAfterSeconds?: number; hint?: string },
  ) {
    super(
      `Slack call failed (${failure}): ${code}${options?.hint ? `; ${options.hint}` : ''}`,
      'Slack did not take the alarm message.',
      options,
    );
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}
