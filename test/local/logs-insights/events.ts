import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery, type InsightsResult } from '../../../src/local/logs-insights';

let nextId = 0;

/** Builds a stored event; objects become JSON lines, as the service logs them. */
export function event(
  timestamp: number,
  message: string | object,
  more: Partial<Omit<StoredLogEvent, 'timestamp' | 'message'>> = {},
): StoredLogEvent {
  nextId++;
  return {
    logGroupName: '/aws/lambda/conference-create-session',
    logStreamName: '2024/01/01/[$LATEST]abc',
    ingestionTime: timestamp + 100,
    eventId: `ev-${nextId}`,
    ...more,
    timestamp,
    message: typeof message === 'string' ? message : JSON.stringify(message),
  };
}

/** Epoch ms of a UTC time of day on 2024-01-01. */
export const at = (time: string): number => Date.parse(`2024-01-01T${time}Z`);

/** Runs a query over events across all time and returns its rows as plain objects (field → value). */
export function rowsOf(query: string, events: StoredLogEvent[], limit?: number): Record<string, string>[] {
  return toObjects(run(query, events, limit));
}

export function run(query: string, events: StoredLogEvent[], limit?: number): InsightsResult {
  return compileInsightsQuery(query).run(events, {
    startTimeMs: 0,
    endTimeMs: Date.parse('2100-01-01T00:00:00Z'),
    ...(limit === undefined ? {} : { limit }),
  });
}

export function toObjects(result: InsightsResult): Record<string, string>[] {
  return result.results.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])));
}

/** The rows without `@ptr`, which is opaque. */
export function withoutPtr(rows: Record<string, string>[]): Record<string, string>[] {
  return rows.map(({ '@ptr': _ptr, ...rest }) => rest);
}

export function report(
  requestId: string,
  duration: number,
  billed: number,
  memoryMb: number,
  usedMb: number,
  init?: number,
): string {
  const parts = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${duration} ms`,
    `Billed Duration: ${billed} ms`,
    `Memory Size: ${memoryMb} MB`,
    `Max Memory Used: ${usedMb} MB`,
  ];
  if (init !== undefined) parts.push(`Init Duration: ${init} ms`);
  return `${parts.join('\t')}\t`;
}
