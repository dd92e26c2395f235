import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { LocalFile, LocalMessage, LocalMessageKind } from './messages';

export type { LocalFile, LocalMessage, LocalMessageKind } from './messages';

import { validateMessage } from './block-kit-limits';
import { applyRateLimits, SlackFailures, SlackFaultsBody } from './faults';
import { LiveUpdates } from './live-updates';
import { renderChannelFragments, renderChannelPage } from './page';
import { type RateLimit, RateLimiter } from './rate-limiter';
import { type SlackSendResult, sendBlockAction, sendSlashCommand } from './sender';
import { LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE } from './workspace';

/** Filters for reading messages back. */
export interface MessageFilter {
  kind?: LocalMessageKind;
  channel?: string;
  via?: string;
}

/** Options for {@link startLocalSlack}; every field has a documented local default. */
export interface LocalSlackOptions {
  port?: number;
  host?: string;
  botUrl?: string;
  signingSecret?: string;
  botToken?: string;
  /** Per-method rate limits, off unless given (e.g. `{'chat.postMessage': {perSecond: 1, burst: 3}}`). */
  rateLimits?: Record<string, RateLimit>;
  /** How long a response_url lives; Slack's is 30 minutes. */
  responseUrlTtlMs?: number;
}

/** Extra fields for a command or action sent from the local Slack. */
export interface SendOptions {
  channelId?: string;
  userId?: string;
  messageTs?: string;
  /** The block the button sits in; found in the clicked message when not given. */
  blockId?: string;
}

/** A running local Slack. */
export interface LocalSlack {
  url: string;
  apiUrl: string;
  port: number;
  close(): Promise<void>;
  messages(filter?: MessageFilter): LocalMessage[];
  /** Sends a signed slash command to the bot with a fresh response_url; the ack body is kept as an ephemeral. */
  command(
    command: string,
    text: string,
    options?: SendOptions,
  ): Promise<SlackSendResult & { responseUrl: string }>;
  /** Sends a signed button click to the bot with a fresh response_url. */
  action(
    actionId: string,
    value: string,
    options?: SendOptions,
  ): Promise<SlackSendResult & { responseUrl: string }>;
  /** Makes a response_url as Slack would for a command or action. */
  createResponseUrl(context?: SendOptions): string;
  setRateLimit(method: string, limit: RateLimit | null): void;
  reset(): void;
}

const RESPONSE_URL_USES = 5;
const KNOWN_CHANNELS = new Map<string, string>([
  [LOCAL_WORKSPACE.channelId, LOCAL_WORKSPACE.channelId],
  [`#${LOCAL_WORKSPACE.channelName}`, LOCAL_WORKSPACE.channelId],
  [LOCAL_WORKSPACE.channelName, LOCAL_WORKSPACE.channelId],
]);

const MessageArgs = z.object({
  channel: z.string(),
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  thread_ts: z.string().optional(),
  ts: z.string().optional(),
  user: z.string().optional(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) }).optional(),
});

const ResponseUrlBody = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.union([z.boolean(), z.string()]).optional(),
  delete_original: z.union([z.boolean(), z.string()]).optional(),
  thread_ts: z.string().optional(),
});

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

/** The block_id of the block holding a button with this action id and value, as Slack reports it on a click. */
function blockIdOf(blocks: readonly unknown[], actionId: string, value: string): string | undefined {
  for (const block of blocks) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as { block_id?: unknown; elements?: unknown; accessory?: unknown };
    const elements = [...(Array.isArray(b.elements) ? b.elements : []), b.accessory];
    const hit = elements.some((e) => {
      const el = e as { action_id?: unknown; value?: unknown } | null | undefined;
      return el?.action_id === actionId && (el.value ?? '') === value;
    });
    if (hit) return typeof b.block_id === 'string' ? b.block_id : undefined;
  }
  return undefined;
}

interface ResponseUrlState {
  createdMs: number;
  uses: number;
  channel: string;
  user: string;
  /** The message a replace_original/delete_original acts on. */
  originalTs?: string;
}

function truthy(value: boolean | string | undefined): boolean {
  return value === true || value === 'true';
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads uploaded bytes: raw, or the first part of a multipart form (the SDK sends one). */
async function readUploadBytes(request: IncomingMessage): Promise<Buffer> {
  const raw = await readBody(request);
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  for (const value of form.values()) {
    return typeof value === 'string' ? Buffer.from(value) : Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}

/** Reads a Web API body the way Slack does: form-encoded or JSON, JSON-valued form fields decoded. */
function parseApiArgs(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.includes('application/json')) {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const looksJson = (value.startsWith('[') || value.startsWith('{')) && key !== 'text';
    if (looksJson) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON after all: keep the string
      }
    }
    args[key] = value;
  }
  return args;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** Starts the local Slack: the Web API, response_url endpoints, a signed sender and the channel page. */
export async function startLocalSlack(options: LocalSlackOptions = {}): Promise<LocalSlack> {
  const host = options.host ?? LOCAL_SLACK_DEFAULTS.host;
  const botUrl = options.botUrl ?? LOCAL_SLACK_DEFAULTS.botUrl;
  const signingSecret = options.signingSecret ?? LOCAL_SLACK_DEFAULTS.signingSecret;
  const botToken = options.botToken ?? LOCAL_SLACK_DEFAULTS.botToken;
  const responseUrlTtlMs = options.responseUrlTtlMs ?? 30 * 60 * 1000;
  const limiter = new RateLimiter();
  const failures = new SlackFailures();
  const drillMethods = new Set<string>();
  const live = new LiveUpdates();
  for (const [method, limit] of Object.entries(options.rateLimits ?? {})) limiter.set(method, limit);

  let store: LocalMessage[] = [];
  const responseUrls = new Map<string, ResponseUrlState>();
  const uploads = new Map<string, { name: string; title: string; length: number; bytes?: Buffer }>();
  let lastTsMicros = 0;
  let baseUrl = '';

  const nextTs = (): string => {
    lastTsMicros = Math.max(lastTsMicros + 1, Date.now() * 1000);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const createResponseUrl = (context: SendOptions = {}): string => {
    const id = randomUUID();
    responseUrls.set(id, {
      createdMs: Date.now(),
      uses: 0,
      channel: context.channelId ?? LOCAL_WORKSPACE.channelId,
      user: context.userId ?? LOCAL_WORKSPACE.userId,
      ...(context.messageTs ? { originalTs: context.messageTs } : {}),
    });
    return `${baseUrl}/response/${id}`;
  };

  const addMessage = (message: Omit<LocalMessage, 'ts'>): LocalMessage => {
    const stored: LocalMessage = { ...message, ts: nextTs() };
    store.push(stored);
    live.changed();
    return stored;
  };
  const resetStore = (): void => {
    store = [];
    responseUrls.clear();
    live.changed();
  };

  const toApiMessage = (message: LocalMessage) => ({
    type: 'message',
    ts: message.ts,
    text: message.text,
    blocks: message.blocks,
    ...(message.kind === 'channel' ? { bot_id: LOCAL_WORKSPACE.botId, user: LOCAL_WORKSPACE.botUserId } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.files ? { files: message.files } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.edited ? { edited: { user: LOCAL_WORKSPACE.botUserId, ts: message.ts } } : {}),
    ...(message.metadata ? { metadata: message.metadata } : {}),
  });

  const channelMessages = (channel: string) =>
    store.filter((message) => message.kind === 'channel' && message.channel === channel);

  type ApiResult = { status?: number; body: Record<string, unknown>; headers?: Record<string, string> };

  const methods: Record<string, (args: Record<string, unknown>) => ApiResult> = {
    'api.test': (args) => ({ body: { ok: true, args } }),
    'auth.test': () => ({
      body: {
        ok: true,
        url: `${baseUrl}/`,
        team: 'Gumshoe Local',
        user: 'gumshoe',
        team_id: LOCAL_WORKSPACE.teamId,
        user_id: LOCAL_WORKSPACE.botUserId,
        bot_id: LOCAL_WORKSPACE.botId,
        is_enterprise_install: false,
      },
    }),
    'chat.postMessage': (args) => {
      const parsed = MessageArgs.safeParse(args);
      if (!parsed.success) return { body: { ok: false, error: 'invalid_arguments' } };
      const channel = KNOWN_CHANNELS.get(parsed.data.channel);
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      if (!parsed.data.text && !parsed.data.blocks && !parsed.data.attachments)
        return { body: { ok: false, error: 'no_text' } };
      const thread = parsed.data.thread_ts;
      if (thread && !channelMessages(channel).some((m) => m.ts === thread && !m.threadTs)) {
        return { body: { ok: false, error: 'thread_not_found' } };
      }
      const message = addMessage({
        kind: 'channel',
        via: 'chat.postMessage',
        channel,
        text: parsed.data.text ?? '',
        blocks: parsed.data.blocks ?? [],
        ...(parsed.data.attachments ? { attachments: parsed.data.attachments } : {}),
        ...(thread ? { threadTs: thread } : {}),
        ...(parsed.data.metadata ? { metadata: parsed.data.metadata } : {}),
      });
      return { body: { ok: true, channel, ts: message.ts, message: toApiMessage(message) } };
    },
    'chat.update': (args) => {
      const parsed = MessageArgs.safeParse(args);
      if (!parsed.success || !parsed.data.ts) return { body: { ok: false, error: 'invalid_arguments' } };
      const channel = KNOWN_CHANNELS.get(parsed.data.channel);
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      const message = channelMessages(channel).find((m) => m.ts === parsed.data.ts);
      if (!message) return { body: { ok: false, error: 'message_not_found' } };
      if (parsed.data.text !== undefined) message.text = parsed.data.text;
      if (parsed.data.blocks !== undefined) message.blocks = parsed.data.blocks;
      if (parsed.data.attachments !== undefined) message.attachments = parsed.data.attachments;
      message.edited = true;
      live.changed();
      return {
        body: { ok: true, channel, ts: message.ts, text: message.text, message: toApiMessage(message) },
      };
    },
    'chat.postEphemeral': (args) => {
      const parsed = MessageArgs.safeParse(args);
      if (!parsed.success || !parsed.data.user) return { body: { ok: false, error: 'invalid_arguments' } };
      const channel = KNOWN_CHANNELS.get(parsed.data.channel);
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      if (parsed.data.user !== LOCAL_WORKSPACE.userId)
        return { body: { ok: false, error: 'user_not_in_channel' } };
      const message = addMessage({
        kind: 'ephemeral',
        via: 'chat.postEphemeral',
        channel,
        user: parsed.data.user,
        text: parsed.data.text ?? '',
        blocks: parsed.data.blocks ?? [],
        // Slack shows an ephemeral posted with thread_ts inside that thread.
        ...(parsed.data.thread_ts ? { threadTs: parsed.data.thread_ts } : {}),
      });
      return { body: { ok: true, message_ts: message.ts } };
    },
    'conversations.history': (args) => {
      const channel = KNOWN_CHANNELS.get(String(args.channel ?? ''));
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
      const all = channelMessages(channel);
      const top = all
        .filter((m) => !m.threadTs)
        .reverse()
        .slice(0, limit)
        .map((m) => {
          const replies = all.filter((r) => r.threadTs === m.ts);
          return replies.length > 0
            ? {
                ...toApiMessage(m),
                thread_ts: m.ts,
                reply_count: replies.length,
                latest_reply: replies.at(-1)?.ts,
              }
            : toApiMessage(m);
        });
      return { body: { ok: true, messages: top, has_more: false, response_metadata: { next_cursor: '' } } };
    },
    'conversations.replies': (args) => {
      const channel = KNOWN_CHANNELS.get(String(args.channel ?? ''));
      if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
      const all = channelMessages(channel);
      const parent = all.find((m) => m.ts === args.ts && !m.threadTs);
      if (!parent) return { body: { ok: false, error: 'thread_not_found' } };
      const replies = all.filter((m) => m.threadTs === parent.ts);
      return {
        body: {
          ok: true,
          messages: [
            { ...toApiMessage(parent), thread_ts: parent.ts, reply_count: replies.length },
            ...replies.map(toApiMessage),
          ],
          has_more: false,
        },
      };
    },
    'files.getUploadURLExternal': (args) => {
      const length = Number(args.length);
      if (!args.filename || !Number.isFinite(length) || length < 0)
        return { body: { ok: false, error: 'invalid_arguments' } };
      const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
      uploads.set(id, { name: String(args.filename), title: String(args.filename), length });
      return { body: { ok: true, file_id: id, upload_url: `${baseUrl}/upload/${id}` } };
    },
    'files.completeUploadExternal': (args) => {
      const files = z.array(z.object({ id: z.string(), title: z.string().optional() })).safeParse(args.files);
      if (!files.success) return { body: { ok: false, error: 'invalid_arguments' } };
      const shared: LocalFile[] = [];
      for (const file of files.data) {
        const upload = uploads.get(file.id);
        if (!upload?.bytes) return { body: { ok: false, error: 'file_not_found' } };
        shared.push({
          id: file.id,
          name: upload.name,
          title: file.title ?? upload.title,
          length: upload.bytes.length,
          url_private: `${baseUrl}/files/${file.id}`,
        });
      }
      const channelArg = args.channel_id ?? args.channels;
      if (channelArg !== undefined) {
        const channel = KNOWN_CHANNELS.get(String(channelArg));
        if (!channel) return { body: { ok: false, error: 'channel_not_found' } };
        addMessage({
          kind: 'channel',
          via: 'files.completeUploadExternal',
          channel,
          text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
          blocks: [],
          files: shared,
          ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
        });
      }
      return { body: { ok: true, files: shared.map((f) => ({ ...f, size: f.length })) } };
    },
  };

  const handleApi = async (
    method: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    const raw = (await readBody(request)).toString('utf8');
    let args: Record<string, unknown>;
    try {
      args = parseApiArgs(request.headers['content-type'], raw);
    } catch {
      sendJson(response, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? args.token;
    const handler = methods[method];
    if (!handler) {
      sendJson(response, 404, { ok: false, error: 'unknown_method' });
      return;
    }
    if (method !== 'api.test' && bearer !== botToken) {
      sendJson(response, 200, { ok: false, error: bearer ? 'invalid_auth' : 'not_authed' });
      return;
    }
    const failStatus = failures.take(method);
    const retryAfter =
      failStatus === 429 ? 1 : limiter.take(method, String(args.channel ?? args.channel_id ?? '*'));
    if (retryAfter > 0) {
      sendJson(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      return;
    }
    if (failStatus !== undefined) {
      sendJson(response, failStatus, { ok: false, error: 'fatal_error' });
      return;
    }
    // Slack checks every message a bot sends against Block Kit's limits before anything else.
    if (method.startsWith('chat.')) {
      const refusal = validateMessage(args);
      if (refusal) {
        sendJson(response, 200, {
          ok: false,
          error: refusal.error,
          ...(refusal.messages.length > 0 ? { response_metadata: { messages: refusal.messages } } : {}),
        });
        return;
      }
    }
    const result = handler(args);
    sendJson(response, result.status ?? 200, result.body, result.headers);
  };

  const handleResponseUrl = async (
    id: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> => {
    const state = responseUrls.get(id);
    const raw = (await readBody(request)).toString('utf8');
    if (!state || Date.now() - state.createdMs > responseUrlTtlMs) {
      sendJson(response, 404, { ok: false, error: 'expired_url' });
      return;
    }
    if (state.uses >= RESPONSE_URL_USES) {
      sendJson(response, 404, { ok: false, error: 'used_url' });
      return;
    }
    let parsed: z.infer<typeof ResponseUrlBody>;
    try {
      const json: unknown = JSON.parse(raw);
      const refusal = typeof json === 'object' && json !== null ? validateMessage(json) : null;
      if (refusal) {
        sendJson(response, 400, {
          ok: false,
          error: refusal.error,
          response_metadata: { messages: refusal.messages },
        });
        return;
      }
      parsed = ResponseUrlBody.parse(json);
    } catch {
      sendJson(response, 400, { ok: false, error: 'invalid_payload' });
      return;
    }
    state.uses += 1;
    const original = state.originalTs ? store.find((m) => m.ts === state.originalTs) : undefined;
    if (truthy(parsed.delete_original)) {
      if (original) store = store.filter((m) => m !== original);
      live.changed();
      sendJson(response, 200, { ok: true });
      return;
    }
    if (truthy(parsed.replace_original) && original) {
      if (parsed.text !== undefined) original.text = parsed.text;
      if (parsed.blocks !== undefined) original.blocks = parsed.blocks;
      if (parsed.attachments !== undefined) original.attachments = parsed.attachments;
      original.edited = true;
      live.changed();
      sendJson(response, 200, { ok: true });
      return;
    }
    const message = addMessage({
      kind: parsed.response_type === 'in_channel' ? 'channel' : 'ephemeral',
      via: 'response_url',
      channel: state.channel,
      text: parsed.text ?? '',
      blocks: parsed.blocks ?? [],
      ...(parsed.attachments ? { attachments: parsed.attachments } : {}),
      ...(parsed.response_type === 'in_channel' ? {} : { user: state.user }),
      ...(parsed.thread_ts ? { threadTs: parsed.thread_ts } : {}),
    });
    // Later replace_original calls on this url act on what it last posted, as in Slack.
    state.originalTs = message.ts;
    sendJson(response, 200, { ok: true });
  };

  /** Slack shows a non-empty ack body to the user as an ephemeral message. */
  const keepAck = (result: SlackSendResult, context: SendOptions): void => {
    if (result.status !== 200 || result.body.trim() === '') return;
    let text = result.body;
    let blocks: unknown[] = [];
    try {
      const json = JSON.parse(result.body) as { text?: unknown; blocks?: unknown };
      text = typeof json.text === 'string' ? json.text : '';
      blocks = Array.isArray(json.blocks) ? json.blocks : [];
    } catch {
      // a plain-text ack
    }
    addMessage({
      kind: 'ephemeral',
      via: 'ack',
      channel: context.channelId ?? LOCAL_WORKSPACE.channelId,
      user: context.userId ?? LOCAL_WORKSPACE.userId,
      text,
      blocks,
    });
  };

  const command: LocalSlack['command'] = async (name, text, context = {}) => {
    const responseUrl = createResponseUrl(context);
    const result = await sendSlashCommand(botUrl, {
      ...context,
      command: name,
      text,
      responseUrl,
      signingSecret,
    });
    keepAck(result, context);
    return { ...result, responseUrl };
  };

  const action: LocalSlack['action'] = async (actionId, value, context = {}) => {
    const responseUrl = createResponseUrl(context);
    // A click on a stored message carries what Slack sends: the message itself and the button's block_id.
    const clicked = context.messageTs ? store.find((m) => m.ts === context.messageTs) : undefined;
    const blockId = context.blockId ?? (clicked ? blockIdOf(clicked.blocks, actionId, value) : undefined);
    const result = await sendBlockAction(botUrl, {
      ...context,
      actionId,
      value,
      responseUrl,
      signingSecret,
      ...(blockId ? { blockId } : {}),
      ...(clicked?.kind === 'channel' ? { message: toApiMessage(clicked) } : {}),
      ...(clicked?.kind === 'ephemeral' ? { ephemeral: true } : {}),
    });
    keepAck(result, context);
    return { ...result, responseUrl };
  };

  const messages = (filter: MessageFilter = {}): LocalMessage[] =>
    store.filter(
      (m) =>
        (!filter.kind || m.kind === filter.kind) &&
        (!filter.channel || m.channel === filter.channel) &&
        (!filter.via || m.via === filter.via),
    );

  const handleLocal = async (path: string, request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (path === '/_local/messages' && request.method === 'GET') {
      const kind = url.searchParams.get('kind');
      sendJson(response, 200, {
        messages: messages(kind === 'channel' || kind === 'ephemeral' ? { kind } : {}),
      });
      return;
    }
    if (path === '/_local/reset' && request.method === 'POST') {
      resetStore();
      sendJson(response, 200, { ok: true });
      return;
    }
    if (path === '/_local/events' && request.method === 'GET') return live.subscribe(response);
    if (path === '/_local/fragments' && request.method === 'GET') {
      sendJson(response, 200, renderChannelFragments(store, url.searchParams.get('thread') ?? undefined));
      return;
    }
    if (path === '/_local/faults' && request.method === 'DELETE') {
      failures.set(undefined);
      // Back to the limits the local Slack started with.
      for (const method of drillMethods) limiter.set(method, options.rateLimits?.[method] ?? null);
      drillMethods.clear();
      sendJson(response, 200, { ok: true });
      return;
    }
    const isForm = request.headers['content-type']?.includes('application/x-www-form-urlencoded') ?? false;
    const raw = (await readBody(request)).toString('utf8');
    let body: unknown;
    try {
      body = isForm ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw || '{}');
    } catch {
      sendJson(response, 400, { ok: false, error: 'invalid_json' });
      return;
    }
    // A page form goes back to the page; an API caller gets what the bot answered.
    const answerSent = async (sent: Promise<SlackSendResult & { responseUrl: string }>): Promise<void> => {
      const result = await sent.catch((error: unknown): SlackSendResult & { responseUrl: string } => ({
        status: 502,
        body: `bot unreachable at ${botUrl}: ${String(error)}`,
        elapsedMs: 0,
        responseUrl: '',
      }));
      if (isForm) {
        response.writeHead(303, { location: '/' });
        response.end();
      } else sendJson(response, 200, result);
    };
    if (path === '/_local/faults' && request.method === 'POST') {
      const parsed = SlackFaultsBody.safeParse(body);
      if (!parsed.success) {
        sendJson(response, 400, { ok: false, error: 'invalid_faults', issues: parsed.error.issues });
        return;
      }
      applyRateLimits(parsed.data, (method, limit) => {
        drillMethods.add(method);
        limiter.set(method, limit);
      });
      failures.set(parsed.data.fail);
      sendJson(response, 200, { ok: true });
      return;
    }
    if (path === '/_local/command' && request.method === 'POST') {
      const parsed = LocalCommandBody.safeParse(body);
      if (!parsed.success) {
        sendJson(response, 400, { ok: false, error: 'invalid_command', issues: parsed.error.issues });
        return;
      }
      const { command: name, text, ...context } = parsed.data;
      await answerSent(command(name, text, context));
      return;
    }
    if (path === '/_local/action' && request.method === 'POST') {
      const parsed = LocalActionBody.safeParse(body);
      if (!parsed.success) {
        sendJson(response, 400, { ok: false, error: 'invalid_action', issues: parsed.error.issues });
        return;
      }
      const { actionId, value, ...context } = parsed.data;
      await answerSent(action(actionId, value, context));
      return;
    }
    sendJson(response, 404, { ok: false, error: 'not_found' });
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const route = async (): Promise<void> => {
      const api = /^\/api\/([A-Za-z.]+)$/.exec(path);
      if (api?.[1]) return handleApi(api[1], request, response);
      const respond = /^\/response\/([0-9a-f-]{36})$/.exec(path);
      if (respond?.[1] && request.method === 'POST') return handleResponseUrl(respond[1], request, response);
      const upload = /^\/upload\/(F[0-9A-Z]+)$/.exec(path);
      if (upload?.[1] && request.method === 'POST') {
        const entry = uploads.get(upload[1]);
        const bytes = await readUploadBytes(request);
        if (!entry) return sendJson(response, 404, { ok: false, error: 'file_not_found' });
        entry.bytes = bytes;
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`OK - ${bytes.length}`);
        return;
      }
      const file = /^\/files\/(F[0-9A-Z]+)$/.exec(path);
      if (file?.[1] && request.method === 'GET') {
        const entry = uploads.get(file[1]);
        if (!entry?.bytes) return sendJson(response, 404, { ok: false, error: 'file_not_found' });
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(entry.bytes);
        return;
      }
      if (path.startsWith('/_local/')) return handleLocal(path, request, response, url);
      if (path === '/' && request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        const thread = url.searchParams.get('thread');
        response.end(
          renderChannelPage(store, {
            channelName: LOCAL_WORKSPACE.channelName,
            botUrl,
            ...(thread ? { thread } : {}),
          }),
        );
        return;
      }
      sendJson(response, 404, { ok: false, error: 'not_found' });
    };
    route().catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { ok: false, error: 'internal_error', detail: String(error) });
      else response.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? LOCAL_SLACK_DEFAULTS.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        live.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    messages,
    command,
    action,
    createResponseUrl,
    setRateLimit: (method, limit) => limiter.set(method, limit),
    reset: resetStore,
  };
}
