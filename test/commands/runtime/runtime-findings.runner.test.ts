import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuntimeErrorQuery } from '../../../src/commands/runtime/runtime-error-query';
import { type RuntimeFinding, summarizeRuntimeErrors } from '../../../src/commands/runtime/runtime-findings';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery } from '../../../src/local/logs-insights';
import { createLambdaRunner, type LocalFunctionSpec, MemoryLogSink } from '../../../src/local/runner';

// Real lines: the local Lambda runner writes what the runtime writes (docs/local-runner.md) for
// handlers that overrun, throw, reject, exceed memory or fail at init, in both log formats; the
// runtime-error query runs over them on the offline Logs Insights engine.
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../local/runner/fixtures/${name}.ts`, import.meta.url));
const CASES = [
  { name: 'slow', entry: 'slow', timeoutMs: 1000, event: { ms: 3000 } },
  { name: 'thrower', entry: 'throwing' },
  { name: 'forgetful', entry: 'unhandled-rejection' },
  { name: 'hog', entry: 'out-of-memory', memoryMb: 128, timeoutMs: 20_000 },
  { name: 'broken-init', entry: 'init-throws' },
  { name: 'slow-init', entry: 'init-slow', initTimeoutMs: 300 },
] as const;
const FORMATS = ['Text', 'JSON'] as const;

describe('the runtime-error recognizer on the local runner’s real lines', () => {
  const sink = new MemoryLogSink();
  const specs: LocalFunctionSpec[] = CASES.flatMap((c) =>
    FORMATS.map((logFormat) => ({
      name: `${c.name}-${logFormat.toLowerCase()}`,
      entry: fixture(c.entry),
      logFormat,
      ...('timeoutMs' in c ? { timeoutMs: c.timeoutMs } : {}),
      ...('memoryMb' in c ? { memoryMb: c.memoryMb } : {}),
      ...('initTimeoutMs' in c ? { initTimeoutMs: c.initTimeoutMs } : {}),
    })),
  );
  const runner = createLambdaRunner({
    awsEndpointUrl: 'http://127.0.0.1:4566',
    logSink: sink,
    functions: specs,
  });
  const requestIds = new Map<string, string>();
  let findings: readonly RuntimeFinding[] = [];

  beforeAll(async () => {
    await Promise.all(
      CASES.flatMap((c) =>
        FORMATS.map(async (f) => {
          const name = `${c.name}-${f.toLowerCase()}`;
          const result = await runner.invoke(name, 'event' in c ? c.event : {});
          requestIds.set(name, result.requestId);
        }),
      ),
    );
    const events: StoredLogEvent[] = sink.events.map((e, i) => ({
      logGroupName: e.groupName,
      logStreamName: e.streamName,
      timestamp: e.timestamp,
      ingestionTime: e.timestamp,
      message: e.message,
      eventId: String(i),
    }));
    const times = events.map((e) => e.timestamp);
    const rows = compileInsightsQuery(buildRuntimeErrorQuery())
      .run(events, { startTimeMs: Math.min(...times) - 1000, endTimeMs: Math.max(...times) + 1000 })
      .results.map((cells) => Object.fromEntries(cells.map((c) => [c.field, c.value])));
    findings = summarizeRuntimeErrors(rows, 200).findings;
  }, 60_000);
  afterAll(() => runner.close());

  const findingOf = (name: string) => findings.filter((f) => f.functionName === name);

  it.each(FORMATS)('names each failure once, with its request id (%s format)', (format) => {
    const of = (c: string) => {
      const name = `${c}-${format.toLowerCase()}`;
      const found = findingOf(name);
      expect(found, name).toHaveLength(1);
      expect(found[0]?.requestId, name).toBe(requestIds.get(name));
      return found[0];
    };
    expect(of('slow')).toMatchObject({ kind: 'timeout', description: 'timed out after 1.00 s' });
    expect(of('thrower')).toMatchObject({
      kind: 'uncaught_exception',
      errorType: 'SaveFailedError',
      description: 'uncaught exception SaveFailedError: boom',
    });
    expect(of('thrower')?.stackTop.length).toBeGreaterThan(0);
    expect(of('forgetful')).toMatchObject({ kind: 'unhandled_rejection' });
    expect(of('hog')).toMatchObject({ kind: 'out_of_memory', description: 'out of memory at 128 MB' });
    expect(of('broken-init')).toMatchObject({
      kind: 'init_failure',
      description: 'failed at init: Error: config missing: TABLE_NAME',
    });
    // INIT_REPORT says how long init ran before it was stopped (measured, so at least the limit).
    expect(of('slow-init')).toMatchObject({
      kind: 'init_timeout',
      description: expect.stringMatching(/^init timed out after \d+\.\d\d s$/),
    });
  });
});
