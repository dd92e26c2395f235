import { afterEach, describe, expect, it } from 'vitest';
import { ServiceLogLine } from '../../src/conference-app/contract';
import { ServiceLogger, toLoggedException } from '../../src/conference-app/observability/logger';
import { capturingLogger } from './helpers';

const savedTraceEnv = process.env._X_AMZN_TRACE_ID;
afterEach(() => {
  if (savedTraceEnv === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = savedTraceEnv;
});

describe('ServiceLogger', () => {
  it('writes the contract keys flat, without Powertools default key names', () => {
    const { logger, lines } = capturingLogger();

    logger
      .forInvocation({ functionName: 'deployed-name', awsRequestId: 'r-1' }, 'fallback', 't-1')
      .with({ sessionId: 's-1' })
      .info('hello', { milestone: 'SAVED_IN_DATABASE', extra: 3 });

    expect(lines).toHaveLength(1);
    const line = ServiceLogLine.parse(lines[0]);
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'hello',
      functionName: 'deployed-name',
      AWSRequestId: 'r-1',
      traceId: 't-1',
      sessionId: 's-1',
      milestone: 'SAVED_IN_DATABASE',
    });
    expect(lines[0]?.extra).toBe(3);
    expect(Object.keys(lines[0] ?? {})).not.toEqual(
      expect.arrayContaining(['function_name', 'cold_start', 'service', 'sampling_rate', 'xray_trace_id']),
    );
  });

  it('falls back to the contract function name and an unknown traceId', () => {
    const { logger, lines } = capturingLogger();

    logger.forInvocation({}, 'conference-list-sessions-lambda').warn('x');

    expect(lines[0]).toMatchObject({
      functionName: 'conference-list-sessions-lambda',
      traceId: 'unknown',
      level: 'WARN',
    });
  });

  it('adds the X-Ray root trace id from the Lambda environment', () => {
    process.env._X_AMZN_TRACE_ID =
      'Root=1-58406520-a006649127e371903a2de979;Parent=53995c3f42cd8ad8;Sampled=1';
    const { logger, lines } = capturingLogger();

    logger.forInvocation({}, 'f', 't').info('traced');

    expect(lines[0]?.xrayTraceId).toBe('1-58406520-a006649127e371903a2de979');
  });

  it('logs errors as an exception object with name, message and stack', () => {
    const { logger, lines } = capturingLogger();

    logger.forInvocation({}, 'f', 't').error('failed', new TypeError('bad'));
    logger.forInvocation({}, 'f', 't').error('failed', 'a string');

    expect(ServiceLogLine.parse(lines[0]).exception).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(lines[0]).toHaveProperty('exception.stack');
    expect(lines[1]?.exception).toEqual({ name: 'NonError', message: 'a string' });
    expect(lines[0]).not.toHaveProperty('error');
  });

  it('keeps keys of one view out of another', () => {
    const { logger, lines } = capturingLogger();
    const invocation = logger.forInvocation({}, 'f', 't');

    invocation.with({ sessionId: 'a' }).info('one');
    invocation.info('two');
    logger.forInvocation({}, 'f', 't2').info('three');

    expect(lines.map((l) => l.sessionId)).toEqual(['a', undefined, undefined]);
    expect(lines[2]?.traceId).toBe('t2');
  });

  it('writes to stdout as one JSON line when no sink is given', () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      new ServiceLogger().forInvocation({}, 'f', 't').info('to stdout');
    } finally {
      process.stdout.write = original;
    }

    const line = written.find((w) => w.includes('to stdout'));
    expect(line?.trim().split('\n')).toHaveLength(1);
    expect(ServiceLogLine.parse(JSON.parse(line ?? '')).message).toBe('to stdout');
  });

  it('turns non-errors into NonError', () => {
    expect(toLoggedException(42)).toEqual({ name: 'NonError', message: '42' });
  });
});
