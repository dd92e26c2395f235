import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FunctionNames } from '../../src/conference-app/contract';
import {
  ConfigError,
  NotifyConfig,
  parseConfig,
  SaveSessionConfig,
} from '../../src/conference-app/handlers/config';
import { DownstreamError } from '../../src/conference-app/sessions/errors';
import { SqsSessionHandOff } from '../../src/conference-app/store/sqs-session-hand-off';
import { apiEvent, aSession, lambdaContext } from './helpers';

describe('Lambda entry points', () => {
  it('import without env and fail only when invoked, with a ConfigError naming the variable', async () => {
    const saved = process.env.SESSIONS_QUEUE_URL;
    delete process.env.SESSIONS_QUEUE_URL;
    try {
      const modules = await Promise.all([
        import('../../src/conference-app/handlers/create-session'),
        import('../../src/conference-app/handlers/save-session'),
        import('../../src/conference-app/handlers/notify-new-session'),
        import('../../src/conference-app/handlers/forward-session'),
        import('../../src/conference-app/handlers/list-sessions'),
      ]);
      for (const m of modules) expect(typeof m.handler).toBe('function');

      const create = modules[0].handler(
        apiEvent({ method: 'POST', path: '/sessions' }),
        lambdaContext(FunctionNames.createSession),
      );
      await expect(create).rejects.toThrow(ConfigError);
      await expect(create).rejects.toThrow(/SESSIONS_QUEUE_URL/);
    } finally {
      if (saved !== undefined) process.env.SESSIONS_QUEUE_URL = saved;
    }
  });
});

describe('config', () => {
  it('applies defaults: faults off, one message for up to 25 sessions', () => {
    expect(parseConfig(SaveSessionConfig, { SESSIONS_TABLE_NAME: 's', CACHE_TABLE_NAME: 'c' })).toEqual({
      SESSIONS_TABLE_NAME: 's',
      CACHE_TABLE_NAME: 'c',
      FAULT_SAVE_DELAY_MS: 0,
      FAULT_SAVE_ERROR_RATE: 0,
    });
    expect(
      parseConfig(NotifyConfig, { SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/hook', DELIVERIES_TABLE_NAME: 'd' }),
    ).toMatchObject({
      NOTIFY_MAX_PER_MESSAGE: 25,
      RETRY_BUDGET_MS: 15_000,
      FAULT_NOTIFY_LATENCY_MS: 0,
    });
  });

  it.each([
    { FAULT_SAVE_ERROR_RATE: '1.5' },
    { FAULT_SAVE_ERROR_RATE: 'often' },
    { FAULT_SAVE_DELAY_MS: '-1' },
  ])('refuses fault settings out of range %o', (fault) => {
    expect(() =>
      parseConfig(SaveSessionConfig, { SESSIONS_TABLE_NAME: 's', CACHE_TABLE_NAME: 'c', ...fault }),
    ).toThrow(ConfigError);
  });
});

describe('SqsSessionHandOff', () => {
  it('sends the session, traceId included, to the configured queue', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const session = aSession();

    await new SqsSessionHandOff(new SQSClient({}), 'https://sqs.eu-west-1.amazonaws.com/1/save').handOff(
      session,
    );

    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/save',
      MessageBody: JSON.stringify(session),
      MessageAttributes: { traceId: { DataType: 'String', StringValue: session.traceId } },
    });
    sqs.restore();
  });

  it('wraps a queue failure in a DownstreamError with the cause', async () => {
    const sqs = mockClient(SQSClient);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sqs.on(SendMessageCommand).rejects(throttled);

    const attempt = new SqsSessionHandOff(
      new SQSClient({}),
      'https://sqs.eu-west-1.amazonaws.com/1/save',
    ).handOff(aSession());

    await expect(attempt).rejects.toBeInstanceOf(DownstreamError);
    await expect(attempt).rejects.toMatchObject({ cause: { name: 'ThrottlingException' } });
    sqs.restore();
  });
});
