import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotApp } from '../../src/bot/app';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';
import { signSlackRequest } from '../../src/local/slack/signing';
import { functionUrlEvent, RecordingDispatcher, testConfig } from './fakes';

const fixture = readFileSync(
  new URL('../fixtures/slack/block-actions-trace-run.json', import.meta.url),
  'utf8',
);

describe('a full block_actions payload as Slack sends it', () => {
  let slack: LocalSlack;
  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: 'xoxb-t', signingSecret: 's' });
  });
  afterAll(() => slack.close());

  it('dispatches trace_run with the value and the response_url of the click', async () => {
    const dispatcher = new RecordingDispatcher();
    const { handler } = createBotApp({
      config: testConfig(slack.apiUrl),
      botToken: 'xoxb-t',
      signingSecret: 's',
      dispatcher,
    });
    const responseUrl = slack.createResponseUrl();
    const body = new URLSearchParams({ payload: fixture.replace('RESPONSE_URL', responseUrl) }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest('s', body) };

    const response = await handler(functionUrlEvent({ body, headers }) as never, {});

    expect(response.statusCode).toBe(200);
    expect(dispatcher.dispatched).toEqual([
      {
        job: { kind: 'trace', id: 'bf769e94-4d48-4994-8c04-ebd00b51ecbd' },
        reply: { responseUrl, channelId: 'C0001', userId: 'U0001', share: false },
      },
    ]);
  });
});
