import type { LogSearch } from '../ports';
import type { AlarmEvent } from './alarm-event';
import { firstErrorLines, investigateQueryForAlarm } from './investigate';

/** What the alarm message shows beyond the notification: first error lines and a trace (best effort). */
export interface AlarmEnrichment {
  readonly errorLines: readonly string[];
  readonly traceId?: string;
  /** The function that logged `traceId`, so the button can say whose trace it opens. */
  readonly traceFunction?: string;
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** The first error lines of an alarm's functions in its window (the Investigate query), and an X-Ray id seen there. */
export function logSearchEnrichment(logs: LogSearch): (alarm: AlarmEvent) => Promise<AlarmEnrichment> {
  return async (alarm) => {
    const request = investigateQueryForAlarm(alarm);
    if (!request) return { errorLines: [] };
    const { rows } = await logs.run(request);
    const row = rows.find((r) => r.xrayTraceId !== undefined && XRAY_TRACE_ID.test(r.xrayTraceId));
    return {
      errorLines: firstErrorLines(rows),
      ...(row?.xrayTraceId ? { traceId: row.xrayTraceId } : {}),
      ...(row?.functionName ? { traceFunction: row.functionName } : {}),
    };
  };
}
