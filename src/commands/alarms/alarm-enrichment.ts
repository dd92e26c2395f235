import type { LogSearch } from '../ports';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../runtime/runtime-findings';
import type { AlarmEvent } from './alarm-event';
import { investigateQueryForAlarm } from './investigate-query';
import { firstErrorLines } from './investigate-report';

/** What the alarm message shows beyond the notification: first error lines and a trace (best effort). */
export interface AlarmEnrichment {
  readonly errorLines: readonly string[];
  readonly traceId?: string;
  /** The function that logged `traceId`, so the button can say whose trace it opens. */
  readonly traceFunction?: string;
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/**
 * The first error lines of an alarm's functions in its window (the Investigate query, and what the
 * Lambda runtime logged: timeouts, crashes and out-of-memory kills have no error field), and an
 * X-Ray id seen there with the function that logged it.
 */
export function logSearchEnrichment(logs: LogSearch): (alarm: AlarmEvent) => Promise<AlarmEnrichment> {
  return async (alarm) => {
    const request = investigateQueryForAlarm(alarm);
    if (!request) return { errorLines: [] };
    const [{ rows }, runtime] = await Promise.all([
      logs.run(request),
      logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    ]);
    const row = rows.find((r) => r.xrayTraceId !== undefined && XRAY_TRACE_ID.test(r.xrayTraceId));
    return {
      errorLines: firstErrorLines(rows, 5, summarizeRuntimeErrors(runtime.rows, RUNTIME_ERROR_LIMIT)),
      ...(row?.xrayTraceId ? { traceId: row.xrayTraceId } : {}),
      ...(row?.functionName ? { traceFunction: row.functionName } : {}),
    };
  };
}
