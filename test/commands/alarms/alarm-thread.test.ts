import { describe, expect, it } from 'vitest';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import type { AlarmEvent } from '../../../src/commands/alarms/alarm-event';
import {
  type AlarmThreadState,
  AlarmThreadStateSchema,
  acknowledgeAlarm,
  decideAlarmPost,
  decideReminder,
  isMuted,
  muteAlarm,
  startAlarmThread,
  threadViewOptions,
  unmuteAlarm,
} from '../../../src/commands/alarms/alarm-thread';
import { fixture } from './fixtures';

function alarm(name: string): AlarmEvent {
  const [n] = parseAlarmNotifications(fixture('alarms', name));
  if (n?.kind !== 'alarm') throw new Error('not an alarm');
  return n.alarm;
}

const FIRING = alarm('sns-metric-alarm.json'); // ALARM at 10:00:00.512
const RESOLVED = alarm('sns-metric-ok.json'); // OK at 10:12:00.730
const at = (iso: string) => new Date(`2026-05-01T${iso}Z`);
const THREAD = { channel: 'C0001', ts: '1777629601.000100' };

function firingState(): AlarmThreadState {
  return startAlarmThread(FIRING, 'm-1', THREAD);
}

describe('decideAlarmPost', () => {
  it('posts a new conversation for the first ALARM', () => {
    expect(decideAlarmPost(undefined, FIRING, 'm-1', at('10:00:01'))).toEqual({ action: 'post-new' });
  });

  it('skips INSUFFICIENT_DATA -> OK with no conversation open (the first evaluation after a start)', () => {
    const settled: AlarmEvent = { ...RESOLVED, oldState: 'INSUFFICIENT_DATA' };
    expect(decideAlarmPost(undefined, settled, 'm-1', at('10:12:01'))).toEqual({
      action: 'ignore',
      reason: 'nothing-to-report',
    });
  });

  it('still opens a conversation for ALARM -> OK and OK -> INSUFFICIENT_DATA when none is open', () => {
    expect(decideAlarmPost(undefined, RESOLVED, 'm-1', at('10:12:01'))).toEqual({ action: 'post-new' });
    const noData: AlarmEvent = { ...RESOLVED, newState: 'INSUFFICIENT_DATA', oldState: 'OK' };
    expect(decideAlarmPost(undefined, noData, 'm-1', at('10:12:01'))).toEqual({ action: 'post-new' });
  });

  it('replies with the time spent in ALARM and updates the parent when the alarm recovers', () => {
    const decision = decideAlarmPost(firingState(), RESOLVED, 'm-2', at('10:12:01'));
    expect(decision).toMatchObject({
      action: 'reply-and-update',
      channel: 'C0001',
      threadTs: THREAD.ts,
      notify: true,
    });
    if (decision.action !== 'reply-and-update') return;
    expect(decision.replyText).toMatch(
      /^✅ OK after 12 min: Threshold Crossed: 1 out of the last 1 datapoints \[0\.0/,
    );
    expect(decision.next).toMatchObject({
      state: 'OK',
      since: RESOLVED.stateChangeTime,
      lastMessageId: 'm-2',
      ts: THREAD.ts,
    });
  });

  it('replies in the same thread when the alarm fires again, clearing the old acknowledgement', () => {
    const resolved: AlarmThreadState = {
      ...firingState(),
      state: 'OK',
      since: at('10:12:00'),
      lastMessageId: 'm-2',
    };
    const again = { ...FIRING, stateChangeTime: at('10:20:00') };
    const decision = decideAlarmPost(
      { ...resolved, ack: { userId: 'U1', at: at('10:05:00') } },
      again,
      'm-3',
      at('10:20:01'),
    );
    expect(decision).toMatchObject({ action: 'reply-and-update', threadTs: THREAD.ts });
    if (decision.action !== 'reply-and-update') return;
    expect(decision.replyText).toMatch(/^🚨 ALARM again after 8 min in OK: /);
    expect(decision.next.ack).toBeUndefined();
    expect(decision.next.state).toBe('ALARM');
  });

  it('starts a new conversation when the alarm fires after a long quiet spell', () => {
    const resolved: AlarmThreadState = {
      ...firingState(),
      state: 'OK',
      since: at('10:12:00'),
      lastMessageId: 'm-2',
    };
    const nextDay = { ...FIRING, stateChangeTime: new Date('2026-05-02T11:00:00Z') };
    expect(decideAlarmPost(resolved, nextDay, 'm-9', nextDay.stateChangeTime)).toEqual({
      action: 'post-new',
    });
  });

  it('ignores a duplicate message id and notes an out-of-order older change in the thread', () => {
    const state = firingState();
    expect(decideAlarmPost(state, FIRING, 'm-1', at('10:00:02'))).toEqual({
      action: 'ignore',
      reason: 'duplicate',
    });
    const older = { ...RESOLVED, stateChangeTime: at('09:59:00') };
    expect(decideAlarmPost(state, older, 'm-0', at('10:00:02'))).toEqual({
      action: 'note-late',
      channel: THREAD.channel,
      threadTs: THREAD.ts,
      replyText: expect.stringMatching(/^✅ OK at 09:59 UTC, delivered late \(ALARM since 10:00 UTC\)/),
      notify: true,
    });
  });

  it('stays quiet while snoozed and keeps the since time when the state does not change', () => {
    const snoozed = { ...firingState(), snoozedUntil: at('11:00:00') };
    const repeat = { ...FIRING, stateChangeTime: at('10:30:00') };
    const decision = decideAlarmPost(snoozed, repeat, 'm-4', at('10:30:01'));
    expect(decision).toMatchObject({ action: 'reply-and-update', notify: false });
    if (decision.action !== 'reply-and-update') return;
    expect(decision.replyText).toMatch(/^🚨 Still ALARM: /);
    expect(decision.next.since).toEqual(FIRING.stateChangeTime);
    expect(decision.next.snoozedUntil).toEqual(at('11:00:00'));
  });
});

describe('decideReminder', () => {
  const hour = 60 * 60 * 1000;

  it('reminds once the interval has passed, then waits for the next one', () => {
    const first = decideReminder(firingState(), at('11:05:30'), hour);
    expect(first).toMatchObject({ remind: true, text: '⏰ Still in ALARM for 1 h 05 min' });
    if (!first.remind) return;
    expect(decideReminder(first.next, at('11:30:00'), hour)).toEqual({ remind: false, reason: 'not-due' });
    expect(decideReminder(first.next, at('12:06:00'), hour)).toMatchObject({
      remind: true,
      text: '⏰ Still in ALARM for 2 h 05 min',
    });
  });

  it.each([
    ['not yet due', firingState(), 'not-due'],
    ['acknowledged', { ...firingState(), ack: { userId: 'U1', at: at('10:01:00') } }, 'acknowledged'],
    ['snoozed', { ...firingState(), snoozedUntil: at('12:00:00') }, 'snoozed'],
    ['back to OK', { ...firingState(), state: 'OK' as const }, 'not-alarm'],
  ])('does not remind when %s', (_, state, reason) => {
    const now = reason === 'not-due' ? at('10:30:00') : at('11:30:00');
    expect(decideReminder(state, now, hour)).toEqual({ remind: false, reason });
  });
});

describe('acknowledgeAlarm', () => {
  it('records the first click and tells the second who was first', () => {
    const first = acknowledgeAlarm(firingState(), 'U123', at('10:05:00'));
    expect(first).toMatchObject({ changed: true, text: '✋ Acknowledged by <@U123> at 10:05 UTC' });
    const second = acknowledgeAlarm(first.state, 'U999', at('10:07:00'));
    expect(second).toMatchObject({ changed: false, text: 'Already acknowledged by <@U123> at 10:05 UTC' });
    expect(second.state.ack).toEqual({ userId: 'U123', at: at('10:05:00') });
  });

  it('has nothing to acknowledge once the alarm is OK', () => {
    expect(acknowledgeAlarm({ ...firingState(), state: 'OK' }, 'U1', at('10:20:00'))).toMatchObject({
      changed: false,
    });
  });
});

describe('muteAlarm and unmuteAlarm', () => {
  it('mutes for an hour, then unmutes', () => {
    const muted = muteAlarm(firingState(), 'U1', at('10:05:00'));
    expect(muted.text).toMatch(
      /^🔕 Alarm actions muted by <@U1> until 11:05 UTC \(CloudWatch mute rule: every action/,
    );
    expect(isMuted(muted.state, at('11:04:59'))).toBe(true);
    expect(isMuted(muted.state, at('11:05:00'))).toBe(false);
    const unmuted = unmuteAlarm(muted.state, 'U2', at('10:30:00'));
    expect(unmuted).toMatchObject({ changed: true, text: '🔔 Alarm actions unmuted by <@U2>' });
    expect(unmuted.state.mutedUntil).toBeUndefined();
    expect(unmuteAlarm(unmuted.state, 'U2', at('10:31:00'))).toMatchObject({
      changed: false,
      text: 'The alarm actions are not muted',
    });
  });
});

describe('AlarmThreadStateSchema', () => {
  it('round-trips through JSON as a store would keep it', () => {
    const state = acknowledgeAlarm(firingState(), 'U1', at('10:05:00')).state;
    expect(AlarmThreadStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(threadViewOptions(state)).toEqual({
      stateSince: FIRING.stateChangeTime,
      ack: { userId: 'U1', at: at('10:05:00') },
    });
  });
});
