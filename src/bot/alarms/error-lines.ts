import type { AlarmEvent } from '../../commands/alarms/alarm-event';
import { firstErrorLines, investigateQueryForAlarm } from '../../commands/alarms/investigate';
import type { LogSearch } from '../../commands/ports';
import type { AlarmEnrichment } from './post-alarms';

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** The first error lines of an alarm's functions in its window (the Investigate query), and an X-Ray id seen there. */
export function logSearchEnrichment(logs: LogSearch): (alarm: AlarmEvent) => Promise<AlarmEnrichment> {
  return async (alarm) => {
    const request = investigateQueryForAlarm(alarm);
    if (!request) return { errorLines: [] };
    const { rows } = await logs.run(request);
    const traceId = rows
      .map((row) => row.xrayTraceId)
      .find((id) => id !== undefined && XRAY_TRACE_ID.test(id));
    return { errorLines: firstErrorLines(rows), ...(traceId ? { traceId } : {}) };
  };
}
