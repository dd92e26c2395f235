import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLambdaRunner, type LambdaRunner, MemoryLogSink } from '../../../src/local/runner';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

// AWS's REPORT format: tab-separated, two decimals on durations, Init Duration only on cold starts.
const reportPattern =
  /^REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d{2}) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: (\d+\.\d{2}) ms)?(?:\tStatus: \w+(?:\tError Type: [\w.]+)?)?$/;

function reportOf(sink: MemoryLogSink, group: string, requestId: string) {
  const line = sink.messages(group).find((m) => m.startsWith(`REPORT RequestId: ${requestId}`));
  const match = reportPattern.exec(line ?? '');
  if (match === null) throw new Error(`no REPORT line for ${requestId}: ${line}`);
  return {
    duration: Number(match[2]),
    billed: Number(match[3]),
    memorySize: Number(match[4]),
    maxMemoryUsed: Number(match[5]),
    init: match[6] === undefined ? undefined : Number(match[6]),
  };
}

describe('createLambdaRunner', () => {
  const sink = new MemoryLogSink();
  const runner: LambdaRunner = createLambdaRunner({
    awsEndpointUrl: 'http://127.0.0.1:4566',
    region: 'eu-west-1',
    logSink: sink,
    functions: [
      { name: 'echo-a', entry: fixture('echo'), memoryMb: 256, env: { FLAG: 'a' } },
      { name: 'echo-b', entry: fixture('echo'), env: { FLAG: 'b', SECRET_OF_OTHER: 'only-b' } },
      { name: 'thrower', entry: fixture('throwing') },
      { name: 'slow', entry: fixture('slow'), timeoutMs: 1000, maxConcurrency: 2 },
      { name: 'logger', entry: fixture('logging'), exportName: 'work' },
      { name: 'warner', entry: fixture('warning') },
      { name: 'exiter', entry: fixture('exiting') },
      { name: 'missing-export', entry: fixture('echo'), exportName: 'nope' },
    ],
  });
  afterAll(() => runner.close());

  it('invokes a handler in a child process with a Lambda-shaped context and env', async () => {
    const result = await runner.invoke('echo-a', { hello: 'world' });

    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBeUndefined();
    const payload = result.payload as Record<string, unknown> & { env: Record<string, string> };
    expect(payload.event).toEqual({ hello: 'world' });
    expect(payload.pid).not.toBe(process.pid);
    expect(payload.awsRequestId).toBe(result.requestId);
    expect(payload.functionName).toBe('echo-a');
    expect(payload.functionVersion).toBe('$LATEST');
    expect(payload.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:echo-a');
    expect(payload.memoryLimitInMB).toBe('256');
    expect(payload.logGroupName).toBe('/aws/lambda/echo-a');
    expect(payload.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(payload.env.AWS_LAMBDA_LOG_STREAM_NAME).toBe(payload.logStreamName);
    expect(payload.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    expect(payload.env).toMatchObject({
      FLAG: 'a',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'echo-a',
    });
  });

  it('keeps the env of two functions apart', async () => {
    const [a, b] = await Promise.all([runner.invoke('echo-a', {}), runner.invoke('echo-b', {})]);

    expect((a.payload as { env: Record<string, unknown> }).env.FLAG).toBe('a');
    expect((a.payload as { env: Record<string, unknown> }).env.SECRET_OF_OTHER).toBeUndefined();
    expect((b.payload as { env: Record<string, unknown> }).env).toMatchObject({
      FLAG: 'b',
      SECRET_OF_OTHER: 'only-b',
    });
  });

  it('writes START, END and a REPORT line with Init Duration only on the cold start', async () => {
    const traced = await runner.invoke(
      'echo-b',
      { n: 1 },
      { traceHeader: 'Root=1-00000000-000000000000000000000000' },
    );
    const warm = await runner.invoke('echo-b', { n: 2 });

    // echo-b was already warm from the previous test: find its first REPORT in the log instead.
    const messages = sink.messages('/aws/lambda/echo-b');
    const reports = messages.filter((m) => m.startsWith('REPORT'));
    expect(reportPattern.exec(reports[0] ?? '')?.[6]).toBeDefined();
    const tracedFigures = reportOf(sink, '/aws/lambda/echo-b', traced.requestId);
    const warmFigures = reportOf(sink, '/aws/lambda/echo-b', warm.requestId);
    expect(tracedFigures.init).toBeUndefined();
    expect(warmFigures.init).toBeUndefined();
    expect(warmFigures.memorySize).toBe(128);
    expect(warmFigures.maxMemoryUsed).toBeGreaterThan(10);
    expect(warmFigures.billed).toBe(Math.max(1, Math.ceil(warmFigures.duration)));
    expect((traced.payload as { traceId: string }).traceId).toBe('Root=1-00000000-000000000000000000000000');
    const start = messages.indexOf(`START RequestId: ${warm.requestId} Version: $LATEST`);
    expect(messages[start + 1]).toBe(`END RequestId: ${warm.requestId}`);
    expect(messages[start + 2]).toMatch(reportPattern);
  });

  it('bills the init phase on the first invocation of a fresh environment', async () => {
    const result = await runner.invoke('thrower', { message: 'first' });

    const figures = reportOf(sink, '/aws/lambda/thrower', result.requestId);
    expect(figures.init).toBeGreaterThan(0);
    expect(result.initDurationMs).toBeCloseTo(figures.init ?? 0, 1);
    expect(figures.billed).toBe(Math.ceil((result.durationMs ?? 0) + (result.initDurationMs ?? 0)));
  });

  it('reports a thrown error like Lambda and keeps the environment', async () => {
    const first = await runner.invoke('thrower', { message: 'db down' });
    const second = await runner.invoke('thrower', { message: 'still down' });

    expect(first.functionError).toBe('Unhandled');
    expect(first.payload).toMatchObject({ errorType: 'SaveFailedError', errorMessage: 'db down' });
    expect(first.error?.trace[0]).toBe('SaveFailedError: db down');
    expect(second.initDurationMs).toBeUndefined();
    const errorLine = sink
      .messages('/aws/lambda/thrower')
      .find((m) => m.includes(`\t${first.requestId}\tERROR\tInvoke Error \t`));
    expect(errorLine).toBeDefined();
    const json = JSON.parse(errorLine?.split('Invoke Error \t')[1] ?? '{}');
    expect(json).toMatchObject({ errorType: 'SaveFailedError', errorMessage: 'db down' });
    expect(Array.isArray(json.stack)).toBe(true);
  });

  it('captures JSON lines unprefixed and console lines with time, request id and level', async () => {
    const result = await runner.invoke('logger', { sessionId: 's-1' });

    const messages = sink.messages('/aws/lambda/logger');
    const start = messages.indexOf(`START RequestId: ${result.requestId} Version: $LATEST`);
    const lines = messages.slice(start + 1, start + 5);
    expect(JSON.parse(lines[0] ?? '')).toEqual({ level: 'INFO', message: 'saved', sessionId: 's-1' });
    expect(lines[1]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${result.requestId}\\tINFO\\tplain text 42$`),
    );
    expect(lines[2]).toMatch(new RegExp(`\\t${result.requestId}\\tWARN\\tfirst line\\nsecond line$`));
    expect(JSON.parse(lines[3] ?? '')).toEqual({ milestone: 'DONE', sessionId: 's-1' });
    expect(messages[start + 5]).toBe(`END RequestId: ${result.requestId}`);
  });

  it("drops the SDK's Node-version warning (the runtime stands for nodejs22.x) and keeps other warnings", async () => {
    const result = await runner.invoke('warner', {});
    expect(result.error).toBeUndefined();
    const log = sink.messages('/aws/lambda/warner').join('\n');
    expect(log).toContain('An ordinary warning the function should still see in its log');
    expect(log).not.toContain('NodeVersionSupportWarning');
  });

  it('gives the handler the remaining time and times out at the deadline, recycling the environment', async () => {
    const fine = await runner.invoke('slow', { ms: 100 });
    const late = await runner.invoke('slow', { ms: 3000 });
    const after = await runner.invoke('slow', { ms: 10 });

    const { before, after: left } = fine.payload as { before: number; after: number };
    expect(before).toBeLessThanOrEqual(1000);
    expect(before).toBeGreaterThan(800);
    expect(left).toBeLessThan(before - 80);
    expect(late.functionError).toBe('Unhandled');
    expect(late.error?.errorType).toBe('Sandbox.Timedout');
    expect(late.error?.errorMessage).toContain('Task timed out after 1.00 seconds');
    expect(sink.messages('/aws/lambda/slow')).toContainEqual(
      expect.stringMatching(new RegExp(`Z ${late.requestId} Task timed out after 1.00 seconds$`)),
    );
    expect(reportOf(sink, '/aws/lambda/slow', late.requestId).duration).toBe(1000);
    expect(after.initDurationMs).toBeGreaterThan(0);
    expect((after.payload as { pid: number }).pid).not.toBe((fine.payload as { pid: number }).pid);
  });

  it('runs at most maxConcurrency environments and queues the rest', async () => {
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map(() => runner.invoke('slow', { ms: 300 })));

    const pids = new Set(results.map((r) => (r.payload as { pid: number }).pid));
    expect(pids.size).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('recycles environments when setEnvironment changes the config', async () => {
    const before = await runner.invoke('echo-a', {});
    runner.setEnvironment('echo-a', { FLAG: 'fault-on' });
    const after = await runner.invoke('echo-a', {});

    expect((before.payload as { env: { FLAG: string } }).env.FLAG).toBe('a');
    expect((after.payload as { env: { FLAG: string } }).env.FLAG).toBe('fault-on');
    expect(after.initDurationMs).toBeGreaterThan(0);
  });

  it('answers 202 at once for Event invocations and still runs them', async () => {
    const result = await runner.invoke('echo-b', { async: true }, { invocationType: 'Event' });

    expect(result.statusCode).toBe(202);
    await expect
      .poll(() =>
        sink.messages('/aws/lambda/echo-b').some((m) => m.startsWith(`END RequestId: ${result.requestId}`)),
      )
      .toBe(true);
  });

  it('fails the invocation when the runtime exits, and when the export is missing', async () => {
    const exited = await runner.invoke('exiter', {});
    const missing = await runner.invoke('missing-export', {});

    expect(exited.error?.errorType).toBe('Runtime.ExitError');
    expect(exited.error?.errorMessage).toContain('exit status 3');
    expect(missing.error?.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('rejects an unknown function', async () => {
    await expect(runner.invoke('nope', {})).rejects.toMatchObject({ name: 'FunctionNotFoundError' });
  });
});
