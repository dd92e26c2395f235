import type { AlarmEvent } from '../../commands/alarms/alarm-event';
import { firstErrorLines, investigateQueryForAlarm } from '../../commands/alarms/investigate';
import type { LogSearch } from '../../commands/ports';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../../commands/runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../../commands/runtime/runtime-findings';
import type { AlarmEnrichment } from './post-alarms';

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/**
 * The first error lines of an alarm's functions in its window (the Investigate query, and what the
 * Lambda runtime logged: timeouts, crashes and out-of-memory kills have no error field), and an
 * X-Ray id seen there.
 */
export function logSearchEnrichment(logs: LogSearch): (alarm: AlarmEvent) => Promise<AlarmEnrichment> {
  return async (alarm) => {
    const request = investigateQueryForAlarm(alarm);
    if (!request) return { errorLines: [] };
    const [{ rows }, runtime] = await Promise.all([
      logs.run(request),
      logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    ]);
    const traceId = rows
      .map((row) => row.xrayTraceId)
      .find((id) => id !== undefined && XRAY_TRACE_ID.test(id));
    return {
      errorLines: firstErrorLines(rows, 5, summarizeRuntimeErrors(runtime.rows, RUNTIME_ERROR_LIMIT)),
      ...(traceId ? { traceId } : {}),
    };
  };
}
