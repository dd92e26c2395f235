import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSlashCommandRequest } from '../../src/local/slack/sender';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';
import { signSlackRequest } from '../../src/local/slack/signing';
import { startTestDynamo, type TestDynamo } from '../fakes/dynalite';
import { functionUrlEvent } from './fakes';

const ALARM_TABLE = 'gumshoe-alarm-state';

// The deployed composition root, wired by env only: local Slack for the Web API and a Lambda Invoke
// stand-in (AWS_ENDPOINT_URL_LAMBDA) so the real SDK client sends the real Event invoke.
describe('handlers/slack-events', () => {
  let slack: LocalSlack;
  let lambda: Server;
  let dynamo: TestDynamo;
  const invokes: { path: string; type: unknown; payload: unknown }[] = [];

  beforeAll(async () => {
    slack = await startLocalSlack({
      port: 0,
      botToken: 'xoxb-local-token',
      signingSecret: 'local-signing-secret',
    });
    lambda = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        invokes.push({
          path: request.url ?? '',
          type: request.headers['x-amz-invocation-type'],
          payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(202);
        response.end();
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    dynamo = await startTestDynamo();
    await dynamo.raw.send(
      new CreateTableCommand({
        TableName: ALARM_TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    vi.stubEnv(
      'AWS_ENDPOINT_URL_DYNAMODB',
      String(await dynamo.raw.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`)),
    );
    vi.stubEnv('GUMSHOE_ALARM_TABLE', ALARM_TABLE);
    vi.stubEnv('SLACK_RESPONSE_URL_BASE', new URL('/response/', slack.apiUrl).href);
    vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('GUMSHOE_CHANNEL', 'C0001');
    vi.stubEnv('GUMSHOE_WORKER_FUNCTION', 'gumshoe-worker');
    vi.stubEnv('SLACK_API_URL', slack.apiUrl);
    vi.stubEnv('SLACK_BOT_TOKEN', 'xoxb-local-token');
    vi.stubEnv('SLACK_SIGNING_SECRET', 'local-signing-secret');
    vi.stubEnv('SLACK_SECRET_ARN', '');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await slack.close();
    await new Promise((resolve) => lambda.close(resolve));
    await dynamo.close();
  });

  it('exports a two-argument handler that acks /trace and invokes the worker with InvocationType Event', async () => {
    const { handler } = await import('../../src/bot/handlers/slack-events');
    const request = buildSlashCommandRequest({
      command: '/trace',
      text: '865ccaad-ced0-4de5-aec3-b3692b2e06a0',
      responseUrl: slack.createResponseUrl(),
      signingSecret: 'local-signing-secret',
    });

    const response = await handler(functionUrlEvent(request) as never, {});

    expect(handler.length).toBe(2);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Investigating');
    expect(invokes).toMatchObject([
      {
        path: '/2015-03-31/functions/gumshoe-worker/invocations',
        type: 'Event',
        payload: {
          job: { kind: 'trace', id: '865ccaad-ced0-4de5-aec3-b3692b2e06a0' },
          reply: { channelId: 'C0001' },
        },
      },
    ]);
  });

  it('keeps the replay claim in the alarm-state table, so a replay is refused', async () => {
    const { handler } = await import('../../src/bot/handlers/slack-events');
    const request = buildSlashCommandRequest({
      command: '/leadtime',
      text: '1h',
      responseUrl: slack.createResponseUrl(),
      signingSecret: 'local-signing-secret',
    });

    const first = await handler(functionUrlEvent(request) as never, {});
    const replay = await handler(functionUrlEvent(request) as never, {});
    const items = await dynamo.raw.send(new ScanCommand({ TableName: ALARM_TABLE }));

    expect([first.statusCode, replay.statusCode]).toEqual([200, 401]);
    expect(items.Items?.map((item) => item.pk?.S)).toContainEqual(
      `replay#${request.headers['x-slack-request-timestamp']}#${request.headers['x-slack-signature']?.slice(3)}`,
    );
  });

  it('answers bodies it cannot trust with 401 or 400, never 500, and logs no request body', async () => {
    const { handler } = await import('../../src/bot/handlers/slack-events');
    const marker = 'BODY-MARKER-c41d';
    const captured: string[] = [];
    const capture = (chunk: unknown) => {
      captured.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        vi
          .spyOn(console, level)
          .mockImplementation((...args: unknown[]) => void capture(args.map(String).join(' '))),
      ),
    ];
    const unsigned = (contentType: string | undefined, body: string) =>
      functionUrlEvent({ body, headers: contentType ? { 'content-type': contentType } : {} }, false);
    const signed = (contentType: string, body: string) =>
      functionUrlEvent(
        { body, headers: { 'content-type': contentType, ...signSlackRequest('local-signing-secret', body) } },
        false,
      );
    try {
      const statuses = [];
      for (const event of [
        unsigned('text/plain', `hello ${marker}`),
        unsigned('application/json', `{"x": ${marker}`),
        unsigned('application/x-www-form-urlencoded', `payload=${marker}`),
        unsigned(undefined, marker),
        unsigned('application/x-www-form-urlencoded; charset=utf-8', `payload={${marker}`),
        signed('application/json', `{"x": ${marker}`),
        signed('application/x-www-form-urlencoded', `payload=${marker}`),
        signed('text/plain', marker),
      ]) {
        statuses.push((await handler(event as never, {})).statusCode);
      }

      expect(statuses).toEqual([401, 401, 401, 401, 401, 400, 400, 400]);
      expect(captured.join('\n')).toContain('slack request refused');
      expect(captured.join('\n')).not.toContain(marker);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
