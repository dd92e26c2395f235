import { createHmac, randomUUID } from 'node:crypto';

/** The Lambda Function URL (payload v2) event slice Bolt's AwsLambdaReceiver reads. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string; sourceIp: string }; requestId: string };
  body: string;
  isBase64Encoded: boolean;
}

/** What {@link signedSlashCommandEvent} builds a request from. */
export interface SlashCommandEventOptions {
  signingSecret: string;
  command: string;
  text: string;
  channelId?: string;
  userId?: string;
  timestampSeconds?: number;
}

/**
 * Builds a slash-command request as Slack signs it (v0=hex(HMAC-SHA256(secret, "v0:ts:body")))
 * and as a Function URL delivers it: lowercase headers and the form body base64-encoded.
 */
export function signedSlashCommandEvent(options: SlashCommandEventOptions): FunctionUrlEvent {
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0BENCH01',
    team_domain: 'bench',
    channel_id: options.channelId ?? 'C0BENCH01',
    channel_name: 'incidents',
    user_id: options.userId ?? 'U0BENCH01',
    user_name: 'bench',
    command: options.command,
    text: options.text,
    api_app_id: 'A0BENCH01',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0BENCH01/1/bench',
    // A fresh trigger id per request keeps every signature unique, as Slack's are.
    trigger_id: randomUUID(),
  }).toString();
  const signature = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    requestContext: { http: { method: 'POST', path: '/', sourceIp: '127.0.0.1' }, requestId: randomUUID() },
    body: Buffer.from(body, 'utf8').toString('base64'),
    isBase64Encoded: true,
  };
}

/** A Lambda context good enough for Bolt and Powertools. */
export function benchLambdaContext(): Record<string, unknown> {
  return {
    awsRequestId: randomUUID(),
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:bench',
    memoryLimitInMB: '1024',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 3000,
  };
}
