import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { applyRateLimits, type SlackFailures, SlackFaultsBody } from './faults';
import { readBody, sendJson } from './http-io';
import type { LiveUpdates } from './live-updates';
import type { MessageStore } from './message-store';
import { renderChannelFragments } from './page';
import type { RateLimit, RateLimiter } from './rate-limiter';
import type { SlackSendResult } from './sender';

const LocalCommandBody = z.object({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
  text: z.string().max(20_000).default(''),
  channelId: z.string().optional(),
  userId: z.string().optional(),
});

const LocalActionBody = z.object({
  actionId: z.string().min(1).max(255),
  value: z.string().max(2000),
  messageTs: z.string().optional(),
  blockId: z.string().max(255).optional(),
  channelId: z.string().optional(),
  userId: z.string().optional(),
});

type Sent = SlackSendResult & { responseUrl: string };
type Context = { channelId?: string; userId?: string; messageTs?: string; blockId?: string };

/** What the `/_local/` endpoints act on. */
export interface LocalEndpointDeps {
  store: MessageStore;
  live: LiveUpdates;
  failures: SlackFailures;
  limiter: RateLimiter;
  /** The rate limits the local Slack started with, restored when a drill ends. */
  startLimits: Readonly<Record<string, RateLimit>>;
  botUrl: string;
  reset(): void;
  command(name: string, text: string, context: Context): Promise<Sent>;
  action(actionId: string, value: string, context: Context): Promise<Sent>;
}

/**
 * The local Slack's own endpoints (not Slack's): read and reset messages, live updates and page
 * fragments, fault drills, and the page's command and button forms.
 */
export function localEndpoints(deps: LocalEndpointDeps) {
  const drillMethods = new Set<string>();

  const endDrill = (response: ServerResponse): void => {
    deps.failures.set(undefined);
    for (const method of drillMethods) deps.limiter.set(method, deps.startLimits[method] ?? null);
    drillMethods.clear();
    sendJson(response, 200, { ok: true });
  };

  const startDrill = (body: unknown, response: ServerResponse): void => {
    const parsed = SlackFaultsBody.safeParse(body);
    if (!parsed.success) {
      sendJson(response, 400, { ok: false, error: 'invalid_faults', issues: parsed.error.issues });
      return;
    }
    applyRateLimits(parsed.data, (method, limit) => {
      drillMethods.add(method);
      deps.limiter.set(method, limit);
    });
    deps.failures.set(parsed.data.fail);
    sendJson(response, 200, { ok: true });
  };

  return async (
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> => {
    const method = request.method;
    if (path === '/_local/messages' && method === 'GET') {
      const kind = url.searchParams.get('kind');
      return sendJson(response, 200, {
        messages: deps.store.list(kind === 'channel' || kind === 'ephemeral' ? { kind } : {}),
      });
    }
    if (path === '/_local/reset' && method === 'POST') {
      deps.reset();
      return sendJson(response, 200, { ok: true });
    }
    if (path === '/_local/events' && method === 'GET') return deps.live.subscribe(response);
    if (path === '/_local/fragments' && method === 'GET') {
      const thread = url.searchParams.get('thread') ?? undefined;
      return sendJson(response, 200, renderChannelFragments(deps.store.list(), thread));
    }
    if (path === '/_local/faults' && method === 'DELETE') return endDrill(response);
    const isForm = request.headers['content-type']?.includes('application/x-www-form-urlencoded') ?? false;
    const raw = (await readBody(request)).toString('utf8');
    let body: unknown;
    try {
      body = isForm ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw || '{}');
    } catch {
      return sendJson(response, 400, { ok: false, error: 'invalid_json' });
    }
    // A page form goes back to the page; an API caller gets what the bot answered.
    const answerSent = async (sent: Promise<Sent>): Promise<void> => {
      const result = await sent.catch(
        (error: unknown): Sent => ({
          status: 502,
          body: `bot unreachable at ${deps.botUrl}: ${String(error)}`,
          elapsedMs: 0,
          responseUrl: '',
        }),
      );
      if (!isForm) return sendJson(response, 200, result);
      response.writeHead(303, { location: '/' });
      response.end();
    };
    if (path === '/_local/faults' && method === 'POST') return startDrill(body, response);
    if (path === '/_local/command' && method === 'POST') {
      const parsed = LocalCommandBody.safeParse(body);
      if (!parsed.success) {
        return sendJson(response, 400, { ok: false, error: 'invalid_command', issues: parsed.error.issues });
      }
      const { command: name, text, ...context } = parsed.data;
      return answerSent(deps.command(name, text, context));
    }
    if (path === '/_local/action' && method === 'POST') {
      const parsed = LocalActionBody.safeParse(body);
      if (!parsed.success) {
        return sendJson(response, 400, { ok: false, error: 'invalid_action', issues: parsed.error.issues });
      }
      const { actionId, value, ...context } = parsed.data;
      return answerSent(deps.action(actionId, value, context));
    }
    sendJson(response, 404, { ok: false, error: 'not_found' });
  };
}
