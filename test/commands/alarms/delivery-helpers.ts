import { parseAlarmEnvelope } from '../../../src/bot/alarms/alarm-envelope';
import type { AlarmDeliveryDeps } from '../../../src/commands/alarms/deliver-alarms';
import type { AlarmTimer } from '../../../src/commands/alarms/ports';
import { snsAlarmRecord, sqsRecordOf } from '../../bot/alarms/slack-helpers';
import type { MemoryAlarmStateStore, RecordingChat } from '../../fakes/alarm-fakes';

export const CHANNEL = 'C0ALARMS';
export const START = Date.parse('2026-05-01T10:01:00Z');
export const INTERVAL = 1100;

/** `n` metric alarms `name-0` … as one SQS batch of SNS envelopes, parsed by the alarm edge. */
export function queued(name: string, n: number, overrides: Record<string, unknown> = {}, delivery = '') {
  return parseAlarmEnvelope({
    Records: Array.from({ length: n }, (_, i) =>
      sqsRecordOf(
        snsAlarmRecord(`${name}-${i}`, `m-${name}-${i}${delivery}`, overrides),
        `q-${name}-${i}${delivery}`,
      ),
    ),
  }).items;
}

/** What `deliverAlarms` needs, on the fakes, with the deployed storm threshold and post interval. */
export function deps(
  store: MemoryAlarmStateStore,
  chat: RecordingChat,
  timer: AlarmTimer,
  extra: Partial<AlarmDeliveryDeps> = {},
): AlarmDeliveryDeps {
  return {
    store,
    chat,
    timer,
    log: () => undefined,
    channelId: CHANNEL,
    settings: { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs: INTERVAL },
    ...extra,
  };
}

/** The smallest gap between two of the times. */
export function minGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.min(...sorted.slice(1).map((t, i) => t - (sorted[i] ?? 0)));
}
