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

  it('explains a bad value in zod’s English messages (zod/mini loads no locale of its own)', () => {
    expect(() => loadBotConfig({ GUMSHOE_CHANNEL: 'C0001', SLACK_TIMEOUT_MS: '-5' })).toThrow(
      'invalid bot environment: SLACK_TIMEOUT_MS: Too small: expected number to be >0',
    );
    expect(() => loadBotConfig({ GUMSHOE_CHANNEL: 'C0001', SLACK_TIMEOUT_MS: '1.5' })).toThrow(
      /SLACK_TIMEOUT_MS: Invalid input: expected int/,
    );
    expect(() => loadBotConfig({ GUMSHOE_CHANNEL: 'C0001', SLACK_API_URL: 'nope' })).toThrow(
      'invalid bot environment: SLACK_API_URL: Invalid URL',
    );
  });

  it('fills the investigation defaults when nothing but the channel is set', () => {
    const config = loadBotConfig({ GUMSHOE_CHANNEL: 'C0001' });
    expect(config.slackTimeoutMs).toBe(5000);
    expect(config.region).toBe('eu-west-1');
    // No config, no GUMSHOE_LOG_GROUPS: the worker searches the groups under GUMSHOE_LOG_GROUP_PREFIX (issue 10).
    expect(config.investigation.logGroupNames).toEqual([]);
    expect(config.investigation).toMatchObject({
      defaultArchitecture: 'arm64',
      leadTimeDefaultWindow: '1h',
      pricing: { x86_64PerGbSecond: 0.0000166667, arm64PerGbSecond: 0.0000133334, perMillionRequests: 0.2 },
    });
  });
});
