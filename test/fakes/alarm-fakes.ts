import type {
  AlarmChat,
  AlarmRecord,
  AlarmStateStore,
  AlarmTimer,
  ChatMessage,
  DeliveryClaim,
  PostedMessage,
  StormRecord,
  UncertainPost,
} from '../../src/commands/alarms/ports';
import { AlarmStateConflictError } from '../../src/commands/alarms/ports';

/**
 * A controlled clock: `sleep` registers a timer, and time jumps to the earliest one only once every
 * other piece of work has settled (all fakes answer in microtasks), so concurrent invocations
 * interleave as they would in real time, without any test waiting on the wall clock.
 */
export class TestTimer implements AlarmTimer {
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private driving = false;
  constructor(
    private now: number,
    private deadline = Number.POSITIVE_INFINITY,
  ) {}
  nowMs(): number {
    return this.now;
  }
  /** Moves the clock forward (between invocations), keeping the deadline that far ahead. */
  advanceTo(ms: number, deadlineMs = ms + 60_000): void {
    this.now = Math.max(this.now, ms);
    this.deadline = deadlineMs;
  }
  remainingMs(): number {
    return this.deadline - this.now;
  }
  /** A timer for another invocation on the same clock, with its own deadline. */
  withDeadline(deadlineMs: number): AlarmTimer {
    return { nowMs: () => this.now, sleep: (ms) => this.sleep(ms), remainingMs: () => deadlineMs - this.now };
  }
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.seq += 1;
      this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq, resolve });
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.drive();
    });
  }
  private drive(): void {
    if (this.driving) return;
    this.driving = true;
    // setImmediate runs after every pending microtask: nothing else can still move before the next timer.
    setImmediate(() => {
      this.driving = false;
      const next = this.timers.shift();
      if (!next) return;
      this.now = Math.max(this.now, next.at);
      next.resolve();
      if (this.timers.length > 0) this.drive();
    });
  }
}

/** An in-memory {@link AlarmStateStore} with the DynamoDB adapter's semantics (conditional saves, leases, slots). */
export class MemoryAlarmStateStore implements AlarmStateStore {
  readonly records = new Map<string, AlarmRecord>();
  readonly claims = new Map<
    string,
    { status: 'claimed' | 'done' | 'uncertain'; leaseUntil?: number; uncertain?: UncertainPost }
  >();
  private readonly slots = new Map<string, number>();
  failSaves = false;
  async get(arn: string) {
    return this.records.get(arn);
  }
  async save(record: AlarmRecord, expected: number | undefined) {
    await Promise.resolve();
    if (this.failSaves) throw new Error('table unavailable');
    const current = this.records.get(record.state.alarmArn);
    if (current?.version !== expected) throw new AlarmStateConflictError(record.state.alarmArn);
    const saved = { ...record, version: (expected ?? 0) + 1 };
    this.records.set(record.state.alarmArn, saved);
    return saved;
  }
  async listInState(state: string) {
    return [...this.records.values()].filter((r) => r.state.state === state);
  }
  async claimMessage(key: string, now: Date, leaseMs: number): Promise<DeliveryClaim> {
    await Promise.resolve();
    const c = this.claims.get(key);
    if (c?.status === 'done') return { status: 'done' };
    if (c?.status === 'claimed' && (c.leaseUntil ?? 0) >= now.getTime()) return { status: 'in-progress' };
    this.claims.set(key, { status: 'claimed', leaseUntil: now.getTime() + leaseMs });
    return c?.status === 'uncertain' && c.uncertain
      ? { status: 'claimed', uncertain: c.uncertain }
      : { status: 'claimed' };
  }
  async completeMessage(key: string) {
    this.claims.set(key, { status: 'done' });
  }
  async releaseMessage(key: string, uncertain?: UncertainPost) {
    if (this.claims.get(key)?.status !== 'claimed') return;
    if (uncertain) this.claims.set(key, { status: 'uncertain', uncertain });
    else this.claims.delete(key);
  }
  readonly storms = new Map<string, StormRecord>();
  async getStorm(channelId: string) {
    await Promise.resolve();
    return this.storms.get(channelId);
  }
  async saveStorm(storm: StormRecord, expectedVersion: number | undefined) {
    await Promise.resolve();
    if (this.storms.get(storm.channelId)?.version !== expectedVersion)
      throw new AlarmStateConflictError(`storm#${storm.channelId}`);
    const saved = { ...storm, version: (expectedVersion ?? 0) + 1 };
    this.storms.set(storm.channelId, saved);
    return saved;
  }
  async reservePostSlot(channel: string, nowMs: number, intervalMs: number) {
    await Promise.resolve();
    const slot = Math.max(nowMs, this.slots.get(channel) ?? 0);
    this.slots.set(channel, slot + intervalMs);
    return slot;
  }
}

/** One message the recording chat received. */
export interface ChatPost {
  readonly at: number;
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly text: string;
  readonly key?: string;
  readonly message: ChatMessage;
}

/** An {@link AlarmChat} that records each post with the controlled time it arrived; failures are injectable. */
export class RecordingChat implements AlarmChat {
  readonly posts: ChatPost[] = [];
  readonly updates: { target: PostedMessage; message: ChatMessage }[] = [];
  readonly uploads: PostedMessage[] = [];
  private seq = 0;
  /** Runs before each post: throw to fail it; `made` true means Slack keeps the post anyway. */
  failPost?: (post: { channel: string; threadTs?: string }) => { error: Error; made: boolean } | undefined;
  constructor(private readonly timer: AlarmTimer) {}
  async post(target: { channel: string; threadTs?: string }, message: ChatMessage, key?: string) {
    await Promise.resolve();
    const failure = this.failPost?.(target);
    this.seq += 1;
    const ts = `1777630000.${String(this.seq).padStart(6, '0')}`;
    if (!failure || failure.made)
      this.posts.push({
        at: this.timer.nowMs(),
        channel: target.channel,
        ts,
        ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        text: message.text,
        ...(key ? { key } : {}),
        message,
      });
    if (failure) throw failure.error;
    return { channel: target.channel, ts };
  }
  async update(target: PostedMessage, message: ChatMessage) {
    this.updates.push({ target, message });
  }
  async findPost(key: string, uncertain: UncertainPost) {
    const hit = this.posts.find((p) => p.key === key && p.at >= uncertain.since.getTime());
    return hit ? { channel: hit.channel, ts: hit.ts } : undefined;
  }
  async uploadImage(target: PostedMessage) {
    this.uploads.push(target);
  }
}
