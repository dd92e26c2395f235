import type { AlarmRecord } from '../../aws/alarm-state-store';
import { type AlarmEvent, parseAlarmNotification } from '../../commands/alarms/alarm-event';
import { threadViewOptions } from '../../commands/alarms/alarm-thread';
import { type AlarmMessage, buildAlarmMessage } from '../../commands/alarms/alarm-view';

/** How alarm messages look in this workspace. */
export interface AlarmViewSettings {
  readonly accountAliases: Readonly<Record<string, string>>;
  readonly mentionHere: boolean;
}

/** The alarm a stored record's `source` holds, or undefined when it holds none we can read. */
export function alarmOfRecord(record: AlarmRecord): AlarmEvent | undefined {
  if (!record.source) return undefined;
  try {
    const parsed = parseAlarmNotification(JSON.parse(record.source));
    return parsed.kind === 'alarm' ? parsed.alarm : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The conversation's parent message drawn again from the stored record: the latest notification
 * plus ack, mute and "in this state for". Updates never mention the channel (only new posts do).
 */
export function renderAlarmRecord(
  record: AlarmRecord,
  now: Date,
  settings: AlarmViewSettings,
): AlarmMessage | undefined {
  const alarm = alarmOfRecord(record);
  if (!alarm) return undefined;
  return buildAlarmMessage(alarm, {
    now,
    accountAliases: settings.accountAliases,
    mentionHere: false,
    ...threadViewOptions(record.state),
    ...(record.errorLines ? { errorLines: record.errorLines } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
  });
}

/** The serialised input `parseAlarmNotification` reads back: record `i` of an SNS event, or the payload itself. */
export function sourcesOf(event: unknown, count: number): (string | undefined)[] {
  const records = (event as { Records?: unknown })?.Records;
  if (Array.isArray(records) && records.length === count) return records.map((r) => JSON.stringify(r));
  if (count === 1) return [JSON.stringify(event)];
  return Array.from({ length: count }, () => undefined);
}
