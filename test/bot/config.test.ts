import { describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../src/bot/config';
import { BotConfigError } from '../../src/bot/errors';

describe('loadBotConfig', () => {
  it('parses lists, pricing and architectures from the environment', () => {
    const config = loadBotConfig({
      GUMSHOE_CHANNEL: 'C0001',
      GUMSHOE_LOG_GROUPS: '/aws/lambda/a, /aws/lambda/b',
      GUMSHOE_WORKER_FUNCTION: 'gumshoe-worker',
      AWS_REGION: 'us-east-1',
      GUMSHOE_PRICE_ARM64_GB_SECOND: '0.00001',
      GUMSHOE_ARCHITECTURES: 'a=x86_64,b=arm64',
      GUMSHOE_ALLOWED_CHANNELS: 'C0001,C0002',
      SLACK_API_URL: 'http://127.0.0.1:3100/api/',
    });
    expect(config).toMatchObject({
      channelId: 'C0001',
      workerFunctionName: 'gumshoe-worker',
      region: 'us-east-1',
      allowedChannelIds: ['C0001', 'C0002'],
      allowedUserIds: [],
      slackApiUrl: 'http://127.0.0.1:3100/api/',
      slackTimeoutMs: 5000,
      investigation: {
        region: 'us-east-1',
        logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
        architectures: { a: 'x86_64', b: 'arm64' },
        pricing: { arm64PerGbSecond: 0.00001 },
      },
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadBotConfig({ GUMSHOE_CHANNEL: 'general' })).toThrow(/GUMSHOE_CHANNEL/);
    expect(() => loadBotConfig({ GUMSHOE_CHANNEL: 'C0001', GUMSHOE_ARCHITECTURES: 'a=sparc' })).toThrow(
      BotConfigError,
    );
  });
});
