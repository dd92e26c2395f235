import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotApp } from '../../../src/bot/app';
import { slackClientOptions } from '../../../src/bot/slack-client';
import { runWorker } from '../../../src/bot/worker';
import { investigationConfig } from '../../../src/commands/config';
import { runInvestigation } from '../../../src/commands/jobs';
import { type LogSearch, systemClock } from '../../../src/commands/ports';
import { type HttpApiServer, inProcessInvoker, startHttpApi } from '../../../src/local/event-sources';
import { InProcessJobDispatcher } from '../../../src/local/slack/in-process-dispatcher';
import { type LocalSlack, startLocalSlack } from '../../../src/local/slack/server';
import { testConfig } from '../../bot/fakes';

const TOKEN = 'xoxb-local-token';
const SECRET = 'local-signing-secret';
const SESSION_ID = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';

// The whole Slack loop offline: local Slack → Function URL stand-in → Bolt → worker → response_url.
describe('local Slack and bot, end to end', () => {
  let slack: LocalSlack;
  let bot: HttpApiServer;
  let dispatcher: InProcessJobDispatcher;
  const queries: string[] = [];

  beforeAll(async () => {
    const logs: LogSearch = {
      run: async (request) => {
        queries.push(request.queryString);
        return {
          rows: [],
          statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
          durationMs: 1,
        };
      },
    };
    let apiUrl = '';
    dispatcher = new InProcessJobDispatcher((input) =>
      runWorker(input, 'local-request', {
        investigate: (job) => runInvestigation(job, { logs, clock: systemClock }, investigationConfig()),
        client: new WebClient(TOKEN, slackClientOptions({ slackApiUrl: apiUrl, slackTimeoutMs: 2000 })),
        remainingTimeMs: () => 60_000,
        responseUrls: { kind: 'base', base: new URL('/response/', apiUrl).href },
        log: () => undefined,
      }),
    );
    // The bot needs the Slack URL and the Slack needs the bot's: start the bot on port 0 first.
    let handler: ReturnType<typeof createBotApp>['handler'] | undefined;
    bot = await startHttpApi({
      invoker: inProcessInvoker(() => handler as never),
      routes: { $default: 'gumshoe-slack-events' },
      port: 0,
    });
    slack = await startLocalSlack({
      port: 0,
      botToken: TOKEN,
      signingSecret: SECRET,
      botUrl: `${bot.url}/slack/events`,
    });
    apiUrl = slack.apiUrl;
    handler = createBotApp({
      config: testConfig(slack.apiUrl),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
    }).handler;
  });
  afterAll(async () => {
    await slack.close();
    await bot.close();
  });

  it('answers /trace --share: the ack as an ephemeral, then the investigation in the channel', async () => {
    const sent = await slack.command('/trace', `${SESSION_ID} --share`);
    await dispatcher.idle();

    expect(sent.status).toBe(200);
    expect(slack.messages({ kind: 'ephemeral' })).toMatchObject([
      { via: 'ack', text: expect.stringContaining('Investigating') },
    ]);
    expect(queries.some((q) => q.includes(SESSION_ID))).toBe(true);
    expect(slack.messages({ kind: 'channel' })).toMatchObject([
      { via: 'response_url', text: expect.stringContaining(SESSION_ID) },
    ]);
    const page = await (await fetch(slack.url)).text();
    expect(page).toContain(SESSION_ID);
  });
});
