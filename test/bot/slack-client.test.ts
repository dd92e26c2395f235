import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackRateLimitedError } from '../../src/bot/errors';
import { slackClientOptions, withRateLimitBudget } from '../../src/bot/slack-client';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';

const TOKEN = 'xoxb-test-token';

describe('withRateLimitBudget against the local Slack', () => {
  let slack: LocalSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startLocalSlack({
      port: 0,
      botToken: TOKEN,
      rateLimits: { 'chat.postMessage': { perSecond: 1, burst: 1 } },
    });
    client = new WebClient(TOKEN, slackClientOptions({ slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }));
  });
  afterAll(() => slack.close());

  it('waits out Retry-After when it fits in the remaining time, then succeeds', async () => {
    const sleeps: number[] = [];
    const post = () => client.chat.postMessage({ channel: 'C0001', text: 'hi' });
    await post();
    const result = await withRateLimitBudget(post, {
      remainingTimeMs: () => 60_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    expect(result.ok).toBe(true);
    expect(sleeps).toEqual([1000]);
  });

  it('throws SlackRateLimitedError when Retry-After does not fit in the invocation', async () => {
    const post = () => client.chat.postMessage({ channel: 'C0001', text: 'hi' });
    await post().catch(() => undefined);
    const sleeps: number[] = [];
    const error = await withRateLimitBudget(post, {
      remainingTimeMs: () => 2500,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 1 });
    expect(sleeps).toEqual([]);
  });

  it('configures the client for Lambda: two retries, a timeout, 429s rejected', () => {
    expect(slackClientOptions({ slackTimeoutMs: 5000 })).toMatchObject({
      retryConfig: { retries: 2 },
      timeout: 5000,
      rejectRateLimitedCalls: true,
    });
  });
});
