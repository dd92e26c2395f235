import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSlashCommandRequest } from '../../src/local/slack/sender';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';
import { functionUrlEvent } from './fakes';

// The deployed composition root, wired by env only: local Slack for the Web API and a Lambda Invoke
// stand-in (AWS_ENDPOINT_URL_LAMBDA) so the real SDK client sends the real Event invoke.
describe('handlers/slack-events', () => {
  let slack: LocalSlack;
  let lambda: Server;
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
});
