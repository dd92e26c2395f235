import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FunctionNames } from '../../src/conference-app/contract';
import { lambdaContext } from './helpers';

// Secrets Manager has no local emulator in this test: its answers are faked at the SDK client.
const secrets = mockClient(SecretsManagerClient);
const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:conference/slack-webhook-AbCdEf';
const noRecords: DynamoDBStreamEvent = { Records: [] };
const saved = { ...process.env };

describe('the notifier entry point (webhook secret read at first use)', () => {
  beforeEach(() => {
    vi.resetModules(); // a fresh execution environment: the module-scope cache starts empty
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-05T08:00:00Z'));
    secrets.reset();
    delete process.env.SLACK_WEBHOOK_URL;
    process.env.SLACK_WEBHOOK_SECRET_ARN = arn;
    process.env.DELIVERIES_TABLE_NAME = 'conference-deliveries';
  });
  afterEach(() => {
    vi.useRealTimers();
    process.env = { ...saved };
  });

  it('reads the secret again after a failed read, once the retry delay has passed', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ SecretString: 'https://hooks.slack.com/services/T/B/x' });
    const { handler } = await import('../../src/conference-app/handlers/notify-new-session');
    const context = lambdaContext(FunctionNames.notifyNewSession);

    await expect(handler(noRecords, context)).rejects.toMatchObject({ name: 'ConfigError' });
    vi.setSystemTime(new Date('2026-12-05T08:00:30Z'));
    const answer = await handler(noRecords, context);

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not call Secrets Manager again within the retry delay, and says why it failed', async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const { handler } = await import('../../src/conference-app/handlers/notify-new-session');
    const context = lambdaContext(FunctionNames.notifyNewSession);

    await expect(handler(noRecords, context)).rejects.toThrow(arn);
    vi.setSystemTime(new Date('2026-12-05T08:00:01Z'));
    await expect(handler(noRecords, context)).rejects.toThrow(arn);

    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('keeps a successful read for the life of the environment', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T/B/x' });
    const { handler } = await import('../../src/conference-app/handlers/notify-new-session');
    const context = lambdaContext(FunctionNames.notifyNewSession);

    await handler(noRecords, context);
    vi.setSystemTime(new Date('2026-12-06T08:00:00Z'));
    await handler(noRecords, context);

    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });
});
