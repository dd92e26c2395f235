import type { RuntimeFinding } from '../runtime/runtime-findings';
import type { MissingMilestone } from './trace-report';

/** Request ids a trace's lines carry, at most; more means a retry storm and the answer says so. */
export const TRACE_REQUEST_LIMIT = 100;

/** The Lambda request ids of a trace's invocations (every service line carries `AWSRequestId`). */
export function readTraceRequestIds(rows: readonly Readonly<Record<string, string>>[]): Set<string> {
  const ids = new Set<string>();
  for (const row of rows) {
    const id = row.AWSRequestId;
    if (id && id !== 'unknown') ids.add(id);
  }
  return ids;
}

/**
 * The runtime failures of the trace's own invocations, correlated by request id (a busy window
 * holds other requests' timeouts too), oldest first. Plain error lines are left to the exception.
 */
export function runtimeFailuresOfTrace(
  findings: readonly RuntimeFinding[],
  requestIds: ReadonlySet<string>,
): RuntimeFinding[] {
  return findings.filter(
    (f) => f.kind !== 'error_line' && f.requestId !== undefined && requestIds.has(f.requestId),
  );
}

/**
 * Why the first missing milestone is missing, when the runtime says: a failure of the function that
 * should have logged it, else the trace's last failure (a timed-out create never hands on, so the
 * save is missing although the save function never ran).
 */
export function reasonForMissing(
  missing: MissingMilestone | undefined,
  failures: readonly RuntimeFinding[],
): RuntimeFinding | undefined {
  if (!missing || failures.length === 0) return undefined;
  return failures.findLast((f) => f.functionName === missing.functionName) ?? failures.at(-1);
}
