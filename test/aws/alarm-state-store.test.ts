import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlarmStateStore } from '../../src/aws/alarm-state-store';
import {
  type AlarmRecord,
  AlarmStateConflictError,
  AlarmStateStoreError,
} from '../../src/commands/alarms/ports';
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

  it('keeps one storm per channel with its summary ts and entries, saved only on the version read', async () => {
    const { store } = await db.newStore();
    const entry = { key: 'k1', severity: 0, state: 'ALARM', line: ':rotating_light: *a*' };
    const first = await store.saveStorm({ channelId: 'C0001', openUntil: 1000, entries: [entry] }, undefined);
    await store.saveStorm(
      { ...first, ts: '1700000000.000200', entries: [entry, { ...entry, key: 'k2' }] },
      1,
    );

    const read = await store.getStorm('C0001');

    expect(read).toEqual({
      channelId: 'C0001',
      ts: '1700000000.000200',
      openUntil: 1000,
      entries: [entry, { ...entry, key: 'k2' }],
      version: 2,
    });
    await expect(store.saveStorm(first, 1)).rejects.toBeInstanceOf(AlarmStateConflictError);
    await expect(store.saveStorm(first, undefined)).rejects.toBeInstanceOf(AlarmStateConflictError);
    expect(await store.getStorm('C0002')).toBeUndefined();
    expect(await store.listInState('ALARM')).toEqual([]);
  });

  it('claims a message once, reports done after completion, and lets a released claim be taken again', async () => {
    const { store } = await db.newStore();
    const now = new Date('2026-05-01T10:00:00Z');

    expect(await store.claimMessage('a', now, 60_000)).toEqual({ status: 'claimed' });
    expect(await store.claimMessage('a', now, 60_000)).toEqual({ status: 'in-progress' });
    await store.releaseMessage('a');
    expect(await store.claimMessage('a', now, 60_000)).toEqual({ status: 'claimed' });
    await store.completeMessage('a', now);
    expect(await store.claimMessage('a', now, 60_000)).toEqual({ status: 'done' });
    // Releasing a done marker must not reopen it.
    await store.releaseMessage('a');
    expect(await store.claimMessage('a', now, 60_000)).toEqual({ status: 'done' });
  });

  it('hands an uncertain post on to the next claim, so it looks before posting again', async () => {
    const { store } = await db.newStore();
    const now = new Date('2026-05-01T10:00:00Z');
    await store.claimMessage('u', now, 60_000);
    const uncertain = { since: now, channel: 'C0001', threadTs: '1700000000.000100' };

    await store.releaseMessage('u', uncertain);

    expect(await store.claimMessage('u', now, 60_000)).toEqual({ status: 'claimed', uncertain });
    await store.completeMessage('u', now);
    expect(await store.claimMessage('u', now, 60_000)).toEqual({ status: 'done' });
  });

  it('takes over a claim whose lease expired', async () => {
    const { store } = await db.newStore();
    const t0 = new Date('2026-05-01T10:00:00Z');
    expect(await store.claimMessage('b', t0, 1000)).toEqual({ status: 'claimed' });

    expect(await store.claimMessage('b', new Date(t0.getTime() + 500), 1000)).toEqual({
      status: 'in-progress',
    });
    expect(await store.claimMessage('b', new Date(t0.getTime() + 1001), 1000)).toEqual({ status: 'claimed' });
  });

  it('lists the alarms in a state, never the message markers', async () => {
    const { store } = await db.newStore();
    await store.save(record(), undefined);
    await store.save({ state: { ...record().state, alarmArn: `${ARN}-2`, state: 'OK' } }, undefined);
    await store.claimMessage('c', new Date(), 1000);

    const alarming = await store.listInState('ALARM');

    expect(alarming.map((r) => r.state.alarmArn)).toEqual([ARN]);
  });

  it('hands out post slots one interval apart, restarting at now once the channel is idle', async () => {
    const { store } = await db.newStore();
    const t0 = Date.parse('2026-05-01T10:00:00Z');

    const first = await store.reservePostSlot('C1', t0, 1100);
    const second = await store.reservePostSlot('C1', t0 + 10, 1100);
    const third = await store.reservePostSlot('C1', t0 + 20, 1100);
    const otherChannel = await store.reservePostSlot('C2', t0 + 30, 1100);
    const afterIdle = await store.reservePostSlot('C1', t0 + 10_000, 1100);

    expect([first, second, third]).toEqual([t0, t0 + 1100, t0 + 2200]);
    expect(otherChannel).toBe(t0 + 30);
    expect(afterIdle).toBe(t0 + 10_000);
  });

  it('gives 20 concurrent reservations from two store instances distinct slots an interval apart', async () => {
    const { store, table } = await db.newStore();
    const other = new DynamoDbAlarmStateStore(db.client, table);
    const t0 = Date.now();

    const slots = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).reservePostSlot('C1', t0 + i, 50)),
    );

    const sorted = [...slots].sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(20);
    for (let i = 1; i < sorted.length; i += 1)
      expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThanOrEqual(50);
    // The pace item is not an alarm: reminders never see it.
    expect(await store.listInState('ALARM')).toEqual([]);
  });

  it('wraps a failing reservation in AlarmStateStoreError', async () => {
    const store = new DynamoDbAlarmStateStore(db.client, 'no-such-table');

    await expect(store.reservePostSlot('C1', Date.now(), 50)).rejects.toBeInstanceOf(AlarmStateStoreError);
  });
});
