import { describe, expect, it } from 'vitest';
import { buildRuntimeErrorQuery } from '../../../src/commands/runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../../../src/commands/runtime/runtime-findings';
import { readRuntimeLine } from '../../../src/commands/runtime/runtime-line';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery } from '../../../src/local/logs-insights';
import { JSON_LINES, REQ, type RuntimeLineFixture, TEXT_LINES } from '../../fixtures/logs/runtime-lines';

const T0 = Date.parse('2026-11-24T10:00:00Z');
let seq = 0;
const toEvents = (lines: readonly RuntimeLineFixture[], stream: string): StoredLogEvent[] =>
  lines.map((l) => ({
    logGroupName: `/aws/lambda/${l.fn}`,
    logStreamName: `2026/11/24/[$LATEST]${stream}`,
    timestamp: T0 + l.offsetMs,
    ingestionTime: T0 + l.offsetMs + 5,
    message: l.message,
    eventId: String(++seq),
  }));

// The query runs on the offline engine, so the rows are what Logs Insights returns (@log with the account).
const run = (events: StoredLogEvent[], limit = 200) =>
  compileInsightsQuery(buildRuntimeErrorQuery(limit))
    .run(events, { startTimeMs: T0 - 60_000, endTimeMs: T0 + 60_000 })
    .results.map((cells) =>
      Object.fromEntries(cells.filter((c) => c.field !== '@ptr').map((c) => [c.field, c.value])),
    );

describe('summarizeRuntimeErrors', () => {
  it('names each failure of the text format once per request, with function and request id', () => {
    const { findings, capped } = summarizeRuntimeErrors(run(toEvents(TEXT_LINES, 'text')), 200);
    const byRequest = Object.fromEntries(findings.map((f) => [f.requestId ?? `init:${f.functionName}`, f]));
    expect(capped).toBe(false);
    expect(byRequest[REQ.timeout]).toMatchObject({
      kind: 'timeout',
      functionName: 'conference-create-session-lambda',
      description: 'timed out after 6.00 s',
    });
    expect(byRequest[REQ.throws]).toMatchObject({
      kind: 'uncaught_exception',
      functionName: 'conference-save-session-dynamodb-lambda',
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'id')",
      stackTop: ['at save (/var/task/index.mjs:12:7)', 'at Runtime.handler (/var/task/index.mjs:30:3)'],
    });
    expect(byRequest[REQ.rejects]).toMatchObject({
      kind: 'unhandled_rejection',
      description: 'unhandled promise rejection: Error: webhook returned 500',
    });
    expect(byRequest[REQ.oom]).toMatchObject({
      kind: 'out_of_memory',
      description: 'out of memory at 512 MB',
    });
    expect(byRequest[REQ.exit]).toMatchObject({
      kind: 'runtime_error',
      description: 'Runtime.ExitError (runtime exited with exit status 1)',
    });
    expect(byRequest['init:conference-list-sessions-lambda']).toMatchObject({
      kind: 'init_failure',
      description: "failed at init: Runtime.ImportModuleError: Error: Cannot find module 'left-pad'",
    });
    expect(byRequest['init:conference-slack-notification-lambda']).toMatchObject({
      kind: 'init_timeout',
      description: 'init timed out after 10.00 s',
    });
    // Seven failures; the START/END lines, a clean REPORT and an INFO line are not findings.
    expect(findings).toHaveLength(7);
    expect(findings.map((f) => f.at?.getTime())).toEqual(
      [...findings.map((f) => f.at?.getTime())].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
  });

  it('names the failures of the JSON format from platform events and runtime records', () => {
    const { findings } = summarizeRuntimeErrors(run(toEvents(JSON_LINES, 'json')), 200);
    expect(findings.map((f) => [f.kind, f.requestId, f.description])).toEqual([
      ['timeout', REQ.jsonTimeout, 'timed out after 6.00 s'],
      [
        'uncaught_exception',
        REQ.jsonThrows,
        'uncaught exception ConditionalCheckFailedException: The conditional request failed',
      ],
      ['out_of_memory', REQ.jsonOom, 'out of memory at 128 MB'],
      ['init_failure', undefined, 'failed at init: Runtime.UserCodeSyntaxError'],
    ]);
  });

  it('says the answer was capped when the query returned its limit', () => {
    const { capped } = summarizeRuntimeErrors(run(toEvents(TEXT_LINES, 'text'), 3), 3);
    expect(capped).toBe(true);
  });

  it('ignores service lines that merely mention a runtime frame', () => {
    const line = readRuntimeLine({
      '@message': JSON.stringify({ level: 'INFO', message: 'ok', stack: 'at Runtime.handler (x.js:1:1)' }),
      '@log': '000000000000:/aws/lambda/conference-create-session-lambda',
    });
    expect(line).toBeUndefined();
  });
});
