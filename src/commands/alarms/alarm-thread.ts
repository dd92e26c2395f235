import * as z from 'zod';
import { escapeMrkdwn } from '../slack/block-kit';
import { type AlarmEvent, AlarmStateValue } from './alarm-event';
import { AlarmStateStyles, formatClock, formatElapsed } from './alarm-format';

/** What we remember per alarm so that all its changes land in one Slack conversation. */
export const AlarmThreadStateSchema = z.object({
  alarmArn: z.string(),
  channel: z.string(),
  /** The ts of the conversation's parent message (the one we update). */
  ts: z.string(),
  state: AlarmStateValue,
  /** When the alarm entered `state`. */
  since: z.coerce.date(),
  lastMessageId: z.string(),
  ack: z.object({ userId: z.string(), at: z.coerce.date() }).optional(),
  /** The alarm's CloudWatch actions are muted (a mute rule) until then. */
  mutedUntil: z.coerce.date().optional(),
  mutedBy: z.string().optional(),
  /** Gumshoe itself stays quiet about this alarm (no replies, no reminders) until then. */
  snoozedUntil: z.coerce.date().optional(),
  snoozedBy: z.string().optional(),
  lastReminderAt: z.coerce.date().optional(),
});
export type AlarmThreadState = z.infer<typeof AlarmThreadStateSchema>;

/** What to do with a new notification for an alarm. */
export type AlarmPostDecision =
  | { readonly action: 'ignore'; readonly reason: 'duplicate' | 'nothing-to-report' }
  | { readonly action: 'post-new' }
  | {
      /** An older change delivered after a newer one: told in the thread, the parent and state left as they are. */
      readonly action: 'note-late';
      readonly channel: string;
      readonly threadTs: string;
      readonly replyText: string;
      /** False while snoozed: nothing is posted. */
      readonly notify: boolean;
    }
  | {
      readonly action: 'reply-and-update';
      readonly channel: string;
      readonly threadTs: string;
      readonly replyText: string;
      /** False while snoozed: no reply, no `<!here>`; the parent is still redrawn. */
      readonly notify: boolean;
      readonly next: AlarmThreadState;
    };

/** Tuning of the conversation logic. */
export interface AlarmThreadOptions {
  /** After this long in OK, a new ALARM starts a new conversation instead of replying (default 24 h). */
  readonly reopenAfterMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** True while the alarm's CloudWatch actions are muted by the rule Gumshoe created. */
export function isMuted(state: AlarmThreadState | undefined, now: Date): boolean {
  return state?.mutedUntil !== undefined && state.mutedUntil.getTime() > now.getTime();
}

/** True while Gumshoe is snoozed for this alarm. */
export function isSnoozed(state: AlarmThreadState | undefined, now: Date): boolean {
  return state?.snoozedUntil !== undefined && state.snoozedUntil.getTime() > now.getTime();
}

/** The thread reply for a state change: `✅ OK after 12 min: …`. */
export function transitionReplyText(prev: AlarmThreadState, alarm: AlarmEvent): string {
  const style = AlarmStateStyles[alarm.newState];
  // Replies are plain text posts, which Slack parses as mrkdwn: escape the reason's `->`.
  const reason = alarm.reason ? `: ${escapeMrkdwn(alarm.reason)}` : '';
  if (prev.state === alarm.newState) return `${style.unicode} Still ${alarm.newState}${reason}`;
  const elapsed = formatElapsed(alarm.stateChangeTime.getTime() - prev.since.getTime());
  if (alarm.newState === 'OK') return `${style.unicode} OK after ${elapsed}${reason}`;
  if (alarm.newState === 'ALARM')
    return `${style.unicode} ALARM again after ${elapsed} in ${prev.state}${reason}`;
  return `${style.unicode} ${alarm.newState} after ${elapsed} in ${prev.state}${reason}`;
}

/** The thread reply for a change delivered after a newer one: `🚨 ALARM at 10:00 UTC, delivered late: …`. */
export function lateReplyText(prev: AlarmThreadState, alarm: AlarmEvent): string {
  const style = AlarmStateStyles[alarm.newState];
  const reason = alarm.reason ? `: ${escapeMrkdwn(alarm.reason)}` : '';
  return `${style.unicode} ${alarm.newState} at ${formatClock(alarm.stateChangeTime)}, delivered late (${prev.state} since ${formatClock(prev.since)})${reason}`;
}

/** The state to store after a conversation's first message is posted. */
export function startAlarmThread(
  alarm: AlarmEvent,
  messageId: string,
  posted: { channel: string; ts: string },
): AlarmThreadState {
  return {
    alarmArn: alarm.arn,
    channel: posted.channel,
    ts: posted.ts,
    state: alarm.newState,
    since: alarm.stateChangeTime,
    lastMessageId: messageId,
  };
}

/**
 * Decides between a new conversation and a reply in the existing one. A repeated message id
 * (SNS delivers at least once) is ignored, and so is an OK that follows no ALARM when no
 * conversation is open; a change older than the one we hold (out-of-order delivery) is noted late.
 */
export function decideAlarmPost(
  prev: AlarmThreadState | undefined,
  alarm: AlarmEvent,
  messageId: string,
  now: Date,
  options: AlarmThreadOptions = {},
): AlarmPostDecision {
  if (!prev || prev.alarmArn !== alarm.arn) {
    // AWS fires OK actions on INSUFFICIENT_DATA -> OK (every alarm, at every start locally): with no
    // conversation open and no ALARM behind it, that is noise. OK -> INSUFFICIENT_DATA (data stopped) still posts.
    if (alarm.newState === 'OK' && alarm.oldState !== 'ALARM')
      return { action: 'ignore', reason: 'nothing-to-report' };
    return { action: 'post-new' };
  }
  if (prev.lastMessageId === messageId) return { action: 'ignore', reason: 'duplicate' };
  // The same change under another message id (two subscriptions, a re-publish) is the same change.
  if (prev.state === alarm.newState && prev.since.getTime() === alarm.stateChangeTime.getTime())
    return { action: 'ignore', reason: 'duplicate' };
  // SQS may deliver an older change after a newer one (batches, retries): the change still happened,
  // so the thread says so; the parent keeps showing the newer state.
  if (alarm.stateChangeTime.getTime() < prev.since.getTime()) {
    return {
      action: 'note-late',
      channel: prev.channel,
      threadTs: prev.ts,
      replyText: lateReplyText(prev, alarm),
      notify: !isSnoozed(prev, now),
    };
  }
  const reopenAfter = options.reopenAfterMs ?? DAY_MS;
  if (
    prev.state === 'OK' &&
    alarm.newState === 'ALARM' &&
    alarm.stateChangeTime.getTime() - prev.since.getTime() >= reopenAfter
  ) {
    return { action: 'post-new' };
  }
  const changed = prev.state !== alarm.newState;
  const { ack, lastReminderAt, ...rest } = prev;
  // An acknowledgement and the reminder clock belong to one state; a change starts them afresh.
  const next: AlarmThreadState = changed
    ? { ...rest, state: alarm.newState, since: alarm.stateChangeTime, lastMessageId: messageId }
    : { ...prev, lastMessageId: messageId };
  return {
    action: 'reply-and-update',
    channel: prev.channel,
    threadTs: prev.ts,
    replyText: transitionReplyText(prev, alarm),
    notify: !isSnoozed(prev, now),
    next,
  };
}

/** Whether to post a reminder for an alarm that stays in ALARM. */
export type ReminderDecision =
  | { readonly remind: false; readonly reason: 'not-alarm' | 'acknowledged' | 'snoozed' | 'not-due' }
  | { readonly remind: true; readonly text: string; readonly next: AlarmThreadState };

/** Reminds every `intervalMs` while the alarm is in ALARM, unacknowledged and not snoozed. */
export function decideReminder(state: AlarmThreadState, now: Date, intervalMs: number): ReminderDecision {
  if (state.state !== 'ALARM') return { remind: false, reason: 'not-alarm' };
  if (state.ack) return { remind: false, reason: 'acknowledged' };
  if (isSnoozed(state, now)) return { remind: false, reason: 'snoozed' };
  const last = (state.lastReminderAt ?? state.since).getTime();
  if (now.getTime() - last < intervalMs) return { remind: false, reason: 'not-due' };
  return {
    remind: true,
    text: `⏰ Still in ALARM for ${formatElapsed(now.getTime() - state.since.getTime())}`,
    next: { ...state, lastReminderAt: now },
  };
}

/** The result of a button click on the alarm: the state to store and what to tell the user. */
export interface AlarmActionResult {
  readonly changed: boolean;
  readonly state: AlarmThreadState;
  readonly text: string;
}

/** Records the first acknowledgement; later clicks are told who acknowledged and when. */
export function acknowledgeAlarm(state: AlarmThreadState, userId: string, now: Date): AlarmActionResult {
  if (state.ack) {
    return {
      changed: false,
      state,
      text: `Already acknowledged by <@${state.ack.userId}> at ${formatClock(state.ack.at)}`,
    };
  }
  if (state.state !== 'ALARM')
    return { changed: false, state, text: `Nothing to acknowledge: the alarm is ${state.state}` };
  return {
    changed: true,
    state: { ...state, ack: { userId, at: now } },
    text: `✋ Acknowledged by <@${userId}> at ${formatClock(now)}`,
  };
}

/** Snooze and mute alike: a hold until a time, recorded on the conversation with who set it. */
function holdUntil(
  state: AlarmThreadState,
  until: Date,
  describe: (until: Date) => { fields: Partial<AlarmThreadState>; text: string },
): AlarmActionResult {
  const { fields, text } = describe(until);
  return { changed: true, state: { ...state, ...fields }, text };
}

/** Snoozes Gumshoe for this alarm: no replies, mentions or reminders for `durationMs` (default 1 h). */
export function snoozeAlarm(
  state: AlarmThreadState,
  userId: string,
  now: Date,
  durationMs = 60 * 60 * 1000,
): AlarmActionResult {
  return holdUntil(state, new Date(now.getTime() + durationMs), (until) => ({
    fields: { snoozedUntil: until, snoozedBy: userId },
    text: `💤 Snoozed in Slack by <@${userId}> until ${formatClock(until)}: no replies or reminders from Gumshoe`,
  }));
}

/** Ends a snooze. */
export function unsnoozeAlarm(state: AlarmThreadState, userId: string, now: Date): AlarmActionResult {
  const { snoozedUntil, snoozedBy, ...rest } = state;
  if (!isSnoozed(state, now))
    return { changed: snoozedUntil !== undefined, state: rest, text: 'The alarm is not snoozed' };
  return { changed: true, state: rest, text: `🔔 Snooze ended by <@${userId}>` };
}

/** Records a CloudWatch mute rule on the alarm's actions for `durationMs` (default 1 h). */
export function muteAlarm(
  state: AlarmThreadState,
  userId: string,
  now: Date,
  durationMs = 60 * 60 * 1000,
): AlarmActionResult {
  return holdUntil(state, new Date(now.getTime() + durationMs), (until) => ({
    fields: { mutedUntil: until, mutedBy: userId },
    text: `🔕 Alarm actions muted by <@${userId}> until ${formatClock(until)} (CloudWatch mute rule: every action of the alarm, pager and e-mail included)`,
  }));
}

/** Lifts the mute rule. */
export function unmuteAlarm(state: AlarmThreadState, userId: string, now: Date): AlarmActionResult {
  const { mutedUntil, mutedBy, ...rest } = state;
  if (!isMuted(state, now))
    return { changed: mutedUntil !== undefined, state: rest, text: 'The alarm actions are not muted' };
  return { changed: true, state: rest, text: `🔔 Alarm actions unmuted by <@${userId}>` };
}

/** The parts of the alarm view that come from the conversation state. */
export function threadViewOptions(state: AlarmThreadState): {
  stateSince: Date;
  ack?: { userId: string; at: Date };
  mute?: { userId?: string; until: Date };
  snooze?: { userId?: string; until: Date };
} {
  return {
    stateSince: state.since,
    ...(state.ack ? { ack: state.ack } : {}),
    ...(state.mutedUntil
      ? { mute: { until: state.mutedUntil, ...(state.mutedBy ? { userId: state.mutedBy } : {}) } }
      : {}),
    ...(state.snoozedUntil
      ? { snooze: { until: state.snoozedUntil, ...(state.snoozedBy ? { userId: state.snoozedBy } : {}) } }
      : {}),
  };
}
