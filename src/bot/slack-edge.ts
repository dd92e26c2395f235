import type { Clock } from '../commands/ports';
import type { ReplayGuard, SlackEventsHandler } from './replay-guard';
import { isAllowedResponseUrl, type ResponseUrlPolicy, responseUrlsOf } from './response-url';
import { headerOf, type VerifiedSlackRequest, verifySlackRequest } from './slack-request';

/** What the edge in front of Bolt needs. */
export interface SlackEdgeOptions {
  signingSecret: string;
  clock: Clock;
  guard: ReplayGuard;
  responseUrls: ResponseUrlPolicy;
  /** Refusals and failures, with the reason and never the body. */
  log: (message: string, detail: Record<string, unknown>) => void;
}

type FunctionUrlEvent = Parameters<SlackEventsHandler>[0];

const answer = (statusCode: number) => ({ statusCode, body: '' });

/** Where a refused response_url pointed, for the log: the host only (the path holds Slack's token). */
function hostOf(url: unknown): string {
  try {
    return typeof url === 'string' ? new URL(url).host : typeof url;
  } catch {
    return 'unparseable';
  }
}

/**
 * The event Bolt sees: the verified body as text, the content type without parameters (Bolt compares
 * it whole, so `; charset=utf-8` sent it down its JSON path), and the headers as verified.
 */
function forBolt(event: FunctionUrlEvent, verified: VerifiedSlackRequest): FunctionUrlEvent {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-type'] = verified.mediaType;
  return { ...event, headers, body: verified.text, isBase64Encoded: false } as FunctionUrlEvent;
}

/**
 * Wraps Bolt's handler so nothing reaches Bolt unverified: 401 for anything unsigned, badly signed,
 * out of Slack's ±5-minute window or already run (here or in another environment); 400 for a signed
 * body Slack would not send or a response_url outside the policy; Bolt's own signature check is off.
 */
export function withSlackEdge(handler: SlackEventsHandler, options: SlackEdgeOptions): SlackEventsHandler {
  return async (event, context) => {
    const nowSeconds = Math.floor(options.clock.now().getTime() / 1000);
    const verified = verifySlackRequest(event, options.signingSecret, nowSeconds);
    if (!verified.ok) {
      options.log('slack request refused', {
        status: verified.statusCode,
        reason: verified.reason,
        contentType: headerOf(event.headers, 'content-type')?.slice(0, 80),
        bodyLength: event.body?.length ?? 0,
      });
      return answer(verified.statusCode);
    }
    const refusedUrl = responseUrlsOf(verified.body).find(
      (url) => typeof url !== 'string' || !isAllowedResponseUrl(url, options.responseUrls),
    );
    if (refusedUrl !== undefined) {
      options.log('slack request refused', {
        status: 400,
        reason: `response_url host ${hostOf(refusedUrl)} is not allowed (SLACK_RESPONSE_URL_HOSTS)`,
      });
      return answer(400);
    }
    let first: boolean;
    try {
      first = await options.guard.claim(verified.timestamp, verified.signature, nowSeconds);
    } catch (error) {
      // Failing closed: without the shared claim a replay could run; Slack shows the user an error.
      options.log('replay guard unavailable', { error });
      return answer(503);
    }
    if (!first) {
      options.log('slack request refused', { status: 401, reason: 'replay', timestamp: verified.timestamp });
      return answer(401);
    }
    return handler(forBolt(event, verified), context);
  };
}
