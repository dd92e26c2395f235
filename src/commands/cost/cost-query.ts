/** The two shapes of Lambda's REPORT record: the text line, and `platform.report` in the JSON log format. */
export type ReportLogFormat = 'text' | 'json';

/**
 * Invocations, durations and GB-seconds per log group from the text REPORT lines. `@memorySize` is
 * MB × 1,000,000, and Lambda's GB is 1024 MB. Init is already inside `@billedDuration` (billed since
 * 2025-08-01), so `@initDuration` is never added.
 */
export function buildTextCostQuery(): string {
  return [
    'filter @type = "REPORT"',
    '| stats count(*) as invocations, avg(@duration) as avgDurationMs, max(@duration) as maxDurationMs,',
    '  sum(@billedDuration / 1000 * @memorySize / 1000000 / 1024) as gbSeconds by @log',
    '| limit 1000',
  ].join('\n');
}

/** The same figures from the JSON log format's `platform.report` records, where memory is in plain MB. */
export function buildJsonCostQuery(): string {
  return [
    'filter type = "platform.report"',
    '| stats count(*) as invocations, avg(record.metrics.durationMs) as avgDurationMs, max(record.metrics.durationMs) as maxDurationMs,',
    '  sum(record.metrics.billedDurationMs / 1000 * record.metrics.memorySizeMB / 1024) as gbSeconds by @log',
    '| limit 1000',
  ].join('\n');
}

/** The cost query of one log format. */
export function buildCostQuery(format: ReportLogFormat): string {
  return format === 'text' ? buildTextCostQuery() : buildJsonCostQuery();
}
