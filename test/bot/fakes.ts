import type { BotConfig } from '../../src/bot/config';
import type { JobDispatcher, WorkerInput } from '../../src/bot/job-dispatcher';
import { investigationConfig } from '../../src/commands/config';
import type { SignedSlackRequest } from '../../src/local/slack/sender';

/** A JobDispatcher that records what it was given. */
export class RecordingDispatcher implements JobDispatcher {
  readonly dispatched: WorkerInput[] = [];
  failWith: Error | undefined;
  async dispatch(input: WorkerInput): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.dispatched.push(input);
  }
}

/** A bot config for tests, pointing the WebClient at a local Slack. */
export function testConfig(slackApiUrl: string, overrides: Partial<BotConfig> = {}): BotConfig {
  return {
    channelId: 'C0001',
    workerFunctionName: 'gumshoe-worker',
    region: 'eu-west-1',
    allowedChannelIds: [],
    allowedUserIds: [],
    slackApiUrl,
    slackTimeoutMs: 2000,
    // The local Slack's response base, as the local stack sets SLACK_RESPONSE_URL_BASE.
    responseUrls: { kind: 'base', base: new URL('/response/', slackApiUrl).href },
    investigation: investigationConfig(),
    ...overrides,
  };
}

/** The Function URL (payload v2) event for a signed request; form bodies arrive base64-encoded. */
export function functionUrlEvent(request: SignedSlackRequest, base64 = true) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { ...request.headers, host: 'abc.lambda-url.eu-west-1.on.aws' },
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
    body: base64 ? Buffer.from(request.body, 'utf8').toString('base64') : request.body,
    isBase64Encoded: base64,
  };
}
