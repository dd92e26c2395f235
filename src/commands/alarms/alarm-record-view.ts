import { threadViewOptions } from './alarm-thread';
import { type AlarmMessage, buildAlarmMessage } from './alarm-view';
import type { AlarmRecord } from './ports';

/** How alarm messages look in this workspace. */
export interface AlarmViewSettings {
  readonly accountAliases: Readonly<Record<string, string>>;
  readonly mentionHere: boolean;
}

/**
 * The conversation's parent message drawn again from the stored record: the latest state change
 * plus ack, snooze, mute and "in this state for". Updates never mention the channel (only new posts do).
 */
export function renderAlarmRecord(
  record: AlarmRecord,
  now: Date,
  settings: AlarmViewSettings,
): AlarmMessage | undefined {
  if (!record.alarm) return undefined;
  return buildAlarmMessage(record.alarm, {
    now,
    accountAliases: settings.accountAliases,
    mentionHere: false,
    ...threadViewOptions(record.state),
    ...(record.errorLines ? { errorLines: record.errorLines } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
    ...(record.traceFunction ? { traceFunction: record.traceFunction } : {}),
  });
}
