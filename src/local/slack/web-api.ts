import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateMessage } from './block-kit-limits';
import type { SlackFailures } from './faults';
import { parseApiArgs, readBody, sendJson } from './http-io';
import type { RateLimiter } from './rate-limiter';
import type { WebApiMethod } from './web-api-method';

/** What stands between a Web API call and its method: the token, the drills, the rate limits. */
export interface WebApiGate {
  botToken: string;
  limiter: RateLimiter;
  failures: SlackFailures;
}

/**
 * `POST /api/<method>`, checked in Slack's order: a known method, the token, a drilled failure or
 * the method's rate limit (429 with Retry-After), Block Kit's limits on chat.*, then the method.
 */
export async function handleWebApi(
  methods: Readonly<Record<string, WebApiMethod>>,
  gate: WebApiGate,
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const raw = (await readBody(request)).toString('utf8');
  let args: Record<string, unknown>;
  try {
    args = parseApiArgs(request.headers['content-type'], raw);
  } catch {
    return sendJson(response, 200, { ok: false, error: 'invalid_json' });
  }
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? args.token;
  // Own properties only: `__proto__` or `constructor` is an unknown method, not Object's.
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) return sendJson(response, 404, { ok: false, error: 'unknown_method' });
  if (method !== 'api.test' && bearer !== gate.botToken) {
    return sendJson(response, 200, { ok: false, error: bearer ? 'invalid_auth' : 'not_authed' });
  }
  const failStatus = gate.failures.take(method);
  const retryAfter =
    failStatus === 429 ? 1 : gate.limiter.take(method, String(args.channel ?? args.channel_id ?? '*'));
  if (retryAfter > 0) {
    return sendJson(
      response,
      429,
      { ok: false, error: 'ratelimited' },
      { 'retry-after': String(retryAfter) },
    );
  }
  if (failStatus !== undefined) return sendJson(response, failStatus, { ok: false, error: 'fatal_error' });
  // Slack checks every message a bot sends against Block Kit's limits before anything else.
  if (method.startsWith('chat.')) {
    const refusal = validateMessage(args);
    if (refusal) {
      return sendJson(response, 200, {
        ok: false,
        error: refusal.error,
        ...(refusal.messages.length > 0 ? { response_metadata: { messages: refusal.messages } } : {}),
      });
    }
  }
  const result = handler(args);
  sendJson(response, result.status ?? 200, result.body, result.headers);
}
