import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlarmRecord, AlarmStateConflictError } from '../../src/aws/alarm-state-store';
import { startAlarmDynalite } from '../bot/alarms/helpers';

const ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors';

function record(overrides: Partial<AlarmRecord['state']> = {}): AlarmRecord {
  return {
    state: {
      alarmArn: ARN,
      channel: 'C0001',
      ts: '1700000000.000100',
      state: 'ALARM',
      since: new Date('2026-05-01T10:00:00.512Z'),
      lastMessageId: 'm-1',
      ...overrides,
    },
    source: '{"Records":[]}',
    errorLines: ['10:00:00 fn Error: boom'],
  };
}

describe('DynamoDbAlarmStateStore', () => {
  let db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  beforeAll(async () => {
    db = await startAlarmDynalite();
  });
  afterAll(async () => {
    await db.close();
  });

  it('round-trips a record with dates, ack and mute', async () => {
    const { store } = await db.newStore();
    const ack = { userId: 'U1', at: new Date('2026-05-01T10:05:00Z') };
    const saved = await store.save(record({ ack, mutedUntil: new Date('2026-05-01T11:05:00Z') }), undefined);

    const read = await store.get(ARN);

    expect(saved.version).toBe(1);
    expect(read?.state.ack).toEqual(ack);
    expect(read?.state.mutedUntil).toEqual(new Date('2026-05-01T11:05:00Z'));
    expect(read?.state.since).toEqual(new Date('2026-05-01T10:00:00.512Z'));
    expect(read?.errorLines).toEqual(['10:00:00 fn Error: boom']);
    expect(read?.version).toBe(1);
    expect(await store.get('arn:aws:cloudwatch:eu-west-1:1:alarm:none')).toBeUndefined();
  });

  it('refuses a save based on a stale version', async () => {
    const { store } = await db.newStore();
    await store.save(record(), undefined);
    await store.save(record({ lastMessageId: 'm-2' }), 1);

    await expect(store.save(record({ lastMessageId: 'm-3' }), 1)).rejects.toBeInstanceOf(
      AlarmStateConflictError,
    );
    await expect(store.save(record(), undefined)).rejects.toBeInstanceOf(AlarmStateConflictError);
    expect((await store.get(ARN))?.state.lastMessageId).toBe('m-2');
  });

  it('claims a message once, reports done after completion, and lets a released claim be taken again', async () => {
    const { store } = await db.newStore();
    const now = new Date('2026-05-01T10:00:00Z');

    expect(await store.claimMessage('a', now, 60_000)).toBe('claimed');
    expect(await store.claimMessage('a', now, 60_000)).toBe('in-progress');
    await store.releaseMessage('a');
    expect(await store.claimMessage('a', now, 60_000)).toBe('claimed');
    await store.completeMessage('a', now);
    expect(await store.claimMessage('a', now, 60_000)).toBe('done');
    // Releasing a done marker must not reopen it.
    await store.releaseMessage('a');
    expect(await store.claimMessage('a', now, 60_000)).toBe('done');
  });

  it('takes over a claim whose lease expired', async () => {
    const { store } = await db.newStore();
    const t0 = new Date('2026-05-01T10:00:00Z');
    expect(await store.claimMessage('b', t0, 1000)).toBe('claimed');

    expect(await store.claimMessage('b', new Date(t0.getTime() + 500), 1000)).toBe('in-progress');
    expect(await store.claimMessage('b', new Date(t0.getTime() + 1001), 1000)).toBe('claimed');
  });

  it('lists the alarms in a state, never the message markers', async () => {
    const { store } = await db.newStore();
    await store.save(record(), undefined);
    await store.save({ state: { ...record().state, alarmArn: `${ARN}-2`, state: 'OK' } }, undefined);
    await store.claimMessage('c', new Date(), 1000);

    const alarming = await store.listInState('ALARM');

    expect(alarming.map((r) => r.state.alarmArn)).toEqual([ARN]);
  });
});
