import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/bot/slack-client';
import { postWeeklyCost } from '../../src/bot/weekly-cost';
import type { InvestigationJob } from '../../src/commands/jobs';
import { section } from '../../src/commands/slack/block-kit';
import { validateMessage } from '../../src/commands/slack/validate-message';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';

describe('postWeeklyCost', () => {
  let slack: LocalSlack;
  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: 'xoxb-t' });
  });
  afterAll(() => slack.close());

  it('runs /cost for the last week and posts it to the configured channel', async () => {
    const jobs: InvestigationJob[] = [];
    const client = new WebClient(
      'xoxb-t',
      slackClientOptions({ slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }),
    );
    const ts = await postWeeklyCost({
      investigate: async (job) => {
        jobs.push(job);
        return validateMessage([section('*Cost* last week: $1.23')], 'Cost last week: $1.23');
      },
      client,
      channelId: 'C0001',
      remainingTimeMs: () => 60_000,
    });
    expect(jobs).toEqual([
      { kind: 'cost', period: { label: expect.any(String), durationMs: 7 * 24 * 60 * 60 * 1000 } },
    ]);
    expect(slack.messages({ kind: 'channel' })).toMatchObject([
      { ts, text: 'Cost last week: $1.23', via: 'chat.postMessage' },
    ]);
  });
});
