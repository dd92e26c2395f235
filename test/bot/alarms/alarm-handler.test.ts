import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from '../../../src/local/slack';
import { alarmFixture, startAlarmDynalite } from './helpers';
import { snsAlarmRecord, sqsRecordOf } from './slack-helpers';

/** A loopback port nobody listens on: AWS calls there fail at once (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('alarm Lambda entry point', () => {
  let handler: typeof import('../../../src/bot/handlers/alarm').handler;
  let slack: LocalSlack;
  let db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0 });
    db = await startAlarmDynalite();
    const { table } = await db.newStore();
    const endpoint = String(
      await db.client.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`),
    );
    const dead = `http://127.0.0.1:${await closedPort()}`;
    Object.assign(process.env, {
      GUMSHOE_CHANNEL: LOCAL_WORKSPACE.channelId,
      GUMSHOE_ALARM_TABLE: table,
      GUMSHOE_ACCOUNT_ALIASES: '123456789012=prod',
      SLACK_BOT_TOKEN: 'xoxb-local-token',
      SLACK_SIGNING_SECRET: 'local-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: dead,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: dead,
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
    vi.resetModules();
    // The handler's init (SDK clients, Powertools) is loaded once here, where a loaded machine's slow
    // import has the hook's budget, not a test's: a test that timed out would keep posting behind the next.
    ({ handler } = await import('../../../src/bot/handlers/alarm'));
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await slack.close();
    await db.close();
  });

  it('posts an SNS alarm once from the built handler, even when the graph and error lines are unreachable', async () => {
    const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r-1' } as never;
    const event = alarmFixture('sns-metric-alarm.json');

    const first = await handler(event, context);
    const second = await handler(event, context);

    expect(first).toMatchObject({ posted: 1 });
    expect(second).toMatchObject({ posted: 0, skipped: 1 });
    const messages = slack.messages({ kind: 'channel' });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain('save-session-errors in prod');
  }, 20_000);

  it('takes an SQS batch of SNS envelopes, answers batchItemFailures, and treats the redelivery as done', async () => {
    const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r-2' } as never;
    const event = {
      Records: [
        sqsRecordOf(snsAlarmRecord('queued-one', 'm-queued-1'), 'q-1'),
        sqsRecordOf(snsAlarmRecord('queued-two', 'm-queued-2'), 'q-2'),
      ],
    };
    const first = await handler(event, context);
    const second = await handler(event, context);

    expect(first).toMatchObject({ posted: 2, batchItemFailures: [] });
    expect(second).toMatchObject({ posted: 0, skipped: 2, batchItemFailures: [] });
    const queued = slack.messages({ kind: 'channel' }).filter((m) => /queued-(one|two) /.test(m.text));
    expect(queued).toHaveLength(2);
  }, 20_000);
});
