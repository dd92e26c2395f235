import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLambdaRunner, type LocalFunctionSpec, MemoryLogSink } from '../../../src/local/runner';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
const iso = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

// Each function twice: once per log format, so the same failure is seen as Lambda writes it in both.
function bothFormats(spec: LocalFunctionSpec): LocalFunctionSpec[] {
  return [
    { ...spec, name: `${spec.name}-text`, logFormat: 'Text' },
    { ...spec, name: `${spec.name}-json`, logFormat: 'JSON' },
  ];
}

/** The platform records of one request in a JSON-format log group, by type. */
function records(sink: MemoryLogSink, fn: string) {
  return sink
    .messages(`/aws/lambda/${fn}`)
    .filter((m) => m.startsWith('{"time"'))
    .map((m) => JSON.parse(m) as { time: string; type: string; record: Record<string, unknown> });
}

describe('the runtime lines of the local Lambda runner', () => {
  const sink = new MemoryLogSink();
  const runner = createLambdaRunner({
    awsEndpointUrl: 'http://127.0.0.1:4566',
    logSink: sink,
    functions: [
      ...bothFormats({ name: 'slow', entry: fixture('slow'), timeoutMs: 1000 }),
      ...bothFormats({ name: 'thrower', entry: fixture('throwing') }),
      ...bothFormats({ name: 'rejecter', entry: fixture('rejecting') }),
      ...bothFormats({ name: 'forgetful', entry: fixture('unhandled-rejection') }),
      ...bothFormats({ name: 'hog', entry: fixture('out-of-memory'), memoryMb: 128, timeoutMs: 20_000 }),
      ...bothFormats({ name: 'broken-init', entry: fixture('init-throws') }),
      ...bothFormats({ name: 'slow-init', entry: fixture('init-slow'), initTimeoutMs: 300 }),
      ...bothFormats({ name: 'echo', entry: fixture('echo') }),
    ],
  });
  afterAll(() => runner.close());

  it('writes the timeout line and a REPORT with Status: timeout (text), status timeout records (JSON)', async () => {
    const text = await runner.invoke('slow-text', { ms: 3000 });
    const json = await runner.invoke('slow-json', { ms: 3000 });

    const lines = sink.messages('/aws/lambda/slow-text');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${iso} ${text.requestId} Task timed out after 1\\.00 seconds$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^REPORT RequestId: ${text.requestId}\\tDuration: 1000\\.00 ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\tStatus: timeout$`,
        ),
      ),
    );
    const report = records(sink, 'slow-json').find((r) => r.type === 'platform.report');
    expect(report?.record).toMatchObject({
      requestId: json.requestId,
      status: 'timeout',
      metrics: { durationMs: 1000, memorySizeMB: 128 },
    });
    expect(records(sink, 'slow-json').find((r) => r.type === 'platform.runtimeDone')?.record).toMatchObject({
      status: 'timeout',
    });
    expect(json.error?.errorType).toBe('Sandbox.Timedout');
  });

  it.each([
    ['thrower', 'SaveFailedError', 'boom'],
    ['rejecter', 'TypeError', 'rejected'],
  ])('writes the Invoke Error line of a handler that fails (%s)', async (name, errorType, message) => {
    const text = await runner.invoke(`${name}-text`, {});
    const json = await runner.invoke(`${name}-json`, {});

    const line = sink
      .messages(`/aws/lambda/${name}-text`)
      .find((m) => m.startsWith(`${text.requestId}`) || m.includes(`\t${text.requestId}\tERROR\t`));
    expect(line).toMatch(new RegExp(`^${iso}\\t${text.requestId}\\tERROR\\tInvoke Error \\t\\{`));
    const payload = JSON.parse(line?.split('Invoke Error \t')[1] ?? '{}');
    expect(payload).toMatchObject({ errorType, errorMessage: message });
    expect(payload.stack[0]).toBe(`${errorType}: ${message}`);
    const jsonLine = sink
      .messages(`/aws/lambda/${name}-json`)
      .map((m) => JSON.parse(m) as Record<string, unknown>)
      .find((m) => m.level === 'ERROR');
    expect(jsonLine).toMatchObject({
      requestId: json.requestId,
      level: 'ERROR',
      message: { errorType, errorMessage: message },
    });
    expect(records(sink, `${name}-json`).find((r) => r.type === 'platform.report')?.record).toMatchObject({
      status: 'error',
      errorType,
    });
  });

  it('reports an unhandled rejection and the runtime exit it causes', async () => {
    const text = await runner.invoke('forgetful-text', {});
    const json = await runner.invoke('forgetful-json', {});

    expect(text.error).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: forgotten promise',
    });
    const lines = sink.messages('/aws/lambda/forgetful-text');
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${iso}\\t${text.requestId}\\tERROR\\tUnhandled Promise Rejection \\t\\{"errorType":"Runtime.UnhandledPromiseRejection"`,
        ),
      ),
    );
    expect(lines).toContain(`RequestId: ${text.requestId} Error: Runtime exited with error: exit status 128`);
    expect(lines).toContain('Runtime.ExitError');
    expect(lines.find((m) => m.startsWith(`REPORT RequestId: ${text.requestId}`))).toMatch(
      /\tStatus: error\tError Type: Runtime\.ExitError$/,
    );
    expect(records(sink, 'forgetful-json').find((r) => r.type === 'platform.report')?.record).toMatchObject({
      requestId: json.requestId,
      status: 'error',
      errorType: 'Runtime.ExitError',
    });
  });

  it('kills a handler that goes over its memory size, as Lambda does', async () => {
    const text = await runner.invoke('hog-text', {});
    const json = await runner.invoke('hog-json', {});

    expect(text.error?.errorType).toBe('Runtime.ExitError');
    expect(text.error?.errorMessage).toContain('Runtime exited with error: signal: killed');
    expect(text.maxMemoryUsedMb).toBe(128);
    const lines = sink.messages('/aws/lambda/hog-text');
    expect(lines).toContain(`RequestId: ${text.requestId} Error: Runtime exited with error: signal: killed`);
    expect(lines.find((m) => m.startsWith(`REPORT RequestId: ${text.requestId}`))).toMatch(
      /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime\.ExitError$/,
    );
    expect(records(sink, 'hog-json').find((r) => r.type === 'platform.report')?.record).toMatchObject({
      requestId: json.requestId,
      status: 'error',
      errorType: 'Runtime.ExitError',
      metrics: { memorySizeMB: 128, maxMemoryUsedMB: 128 },
    });
  });

  it('reports an init failure with INIT_REPORT and fails the invocation that met it', async () => {
    const text = await runner.invoke('broken-init-text', {});
    const json = await runner.invoke('broken-init-json', {});

    expect(text.error).toMatchObject({ errorType: 'Error', errorMessage: 'config missing: TABLE_NAME' });
    const lines = sink.messages('/aws/lambda/broken-init-text');
    expect(lines[0]).toMatch(
      new RegExp(`^${iso}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Error"`),
    );
    expect(lines[1]).toMatch(
      /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Error$/,
    );
    expect(lines[2]).toBe(`START RequestId: ${text.requestId} Version: $LATEST`);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^REPORT RequestId: ${text.requestId}\\t.*\\tStatus: error\\tError Type: Error$`),
    );
    const init = records(sink, 'broken-init-json').find((r) => r.type === 'platform.initReport');
    expect(init?.record).toMatchObject({ phase: 'init', status: 'error', errorType: 'Error' });
    expect(json.functionError).toBe('Unhandled');
  });

  it('reports an init phase that overruns its limit as an init timeout', async () => {
    const text = await runner.invoke('slow-init-text', {});
    await runner.invoke('slow-init-json', {});

    expect(text.error?.errorType).toBe('Sandbox.Timedout');
    const lines = sink.messages('/aws/lambda/slow-init-text');
    expect(lines[0]).toMatch(/^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: timeout$/);
    expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${text.requestId}\\t.*\\tStatus: timeout$`));
    expect(
      records(sink, 'slow-init-json').find((r) => r.type === 'platform.initReport')?.record,
    ).toMatchObject({
      phase: 'init',
      status: 'timeout',
    });
  });

  it('writes JSON platform records and JSON console lines for a function configured with the JSON format', async () => {
    const result = await runner.invoke('echo-json', { log: 'hello' });

    const types = records(sink, 'echo-json').map((r) => r.type);
    expect(types).toEqual([
      'platform.initReport',
      'platform.start',
      'platform.runtimeDone',
      'platform.report',
    ]);
    const report = records(sink, 'echo-json').find((r) => r.type === 'platform.report');
    expect(report?.record).toMatchObject({ requestId: result.requestId, status: 'success' });
    expect(report?.record).not.toHaveProperty('errorType');
    expect(sink.messages('/aws/lambda/echo-json').some((m) => m.startsWith('START'))).toBe(false);
  });
});
