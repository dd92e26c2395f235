import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatMethods } from './chat-methods';
import { conversationMethods } from './conversation-methods';
import { SlackFailures } from './faults';
import { FileUploads } from './file-uploads';
import { sendJson } from './http-io';
import { LiveUpdates } from './live-updates';
import { localEndpoints } from './local-endpoints';
import { type MessageFilter, MessageStore, toApiMessage } from './message-store';
import type { LocalMessage } from './messages';
import { renderChannelPage } from './page';
import { type RateLimit, RateLimiter } from './rate-limiter';
import { ResponseUrls } from './response-urls';
import { type SlackSendResult, sendBlockAction, sendSlashCommand } from './sender';
import { handleWebApi } from './web-api';
import type { WebApiMethod } from './web-api-method';
import { LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE } from './workspace';

export type { MessageFilter } from './message-store';
export type { LocalFile, LocalMessage, LocalMessageKind } from './messages';

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

/** Slack shows a non-empty ack body to the user as an ephemeral message. */
function keepAck(store: MessageStore, result: SlackSendResult, context: SendOptions): void {
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
  store.add({
    kind: 'ephemeral',
    via: 'ack',
    channel: context.channelId ?? LOCAL_WORKSPACE.channelId,
    user: context.userId ?? LOCAL_WORKSPACE.userId,
    text,
    blocks,
  });
}

/** Starts the local Slack: the Web API, response_url endpoints, a signed sender and the channel page. */
export async function startLocalSlack(options: LocalSlackOptions = {}): Promise<LocalSlack> {
  const host = options.host ?? LOCAL_SLACK_DEFAULTS.host;
  const botUrl = options.botUrl ?? LOCAL_SLACK_DEFAULTS.botUrl;
  const signingSecret = options.signingSecret ?? LOCAL_SLACK_DEFAULTS.signingSecret;
  const limiter = new RateLimiter();
  for (const [method, limit] of Object.entries(options.rateLimits ?? {})) limiter.set(method, limit);
  const failures = new SlackFailures();
  const live = new LiveUpdates();
  const store = new MessageStore(live);
  let baseUrl = '';
  const responseUrls = new ResponseUrls(store, options.responseUrlTtlMs ?? 30 * 60 * 1000, () => baseUrl);
  const files = new FileUploads(store, () => baseUrl);
  const methods: Record<string, WebApiMethod> = {
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
    ...chatMethods(store),
    ...conversationMethods(store),
    ...files.methods(),
  };
  const gate = { botToken: options.botToken ?? LOCAL_SLACK_DEFAULTS.botToken, limiter, failures };

  const reset = (): void => {
    store.clear();
    responseUrls.clear();
  };
  const command: LocalSlack['command'] = async (name, text, context = {}) => {
    const responseUrl = responseUrls.create(context);
    const result = await sendSlashCommand(botUrl, {
      ...context,
      command: name,
      text,
      responseUrl,
      signingSecret,
    });
    keepAck(store, result, context);
    return { ...result, responseUrl };
  };
  const action: LocalSlack['action'] = async (actionId, value, context = {}) => {
    const responseUrl = responseUrls.create(context);
    // A click on a stored message carries what Slack sends: the message itself and the button's block_id.
    const clicked = store.find(context.messageTs);
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
    keepAck(store, result, context);
    return { ...result, responseUrl };
  };
  const local = localEndpoints({
    store,
    live,
    failures,
    limiter,
    startLimits: options.rateLimits ?? {},
    botUrl,
    reset,
    command,
    action,
  });

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const post = request.method === 'POST';
    const api = /^\/api\/([A-Za-z.]+)$/.exec(path);
    if (api?.[1]) return handleWebApi(methods, gate, api[1], request, response);
    const respond = /^\/response\/([0-9a-f-]{36})$/.exec(path);
    if (respond?.[1] && post) return responseUrls.handle(respond[1], request, response);
    const upload = /^\/upload\/(F[0-9A-Z]+)$/.exec(path);
    if (upload?.[1] && post) return files.receive(upload[1], request, response);
    const file = /^\/files\/(F[0-9A-Z]+)$/.exec(path);
    if (file?.[1] && request.method === 'GET') return files.serve(file[1], response);
    if (path.startsWith('/_local/')) return local(path, request, response, url);
    if (path === '/' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const thread = url.searchParams.get('thread');
      const page = { channelName: LOCAL_WORKSPACE.channelName, botUrl, ...(thread ? { thread } : {}) };
      response.end(renderChannelPage(store.list(), page));
      return;
    }
    sendJson(response, 404, { ok: false, error: 'not_found' });
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
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
    messages: (filter) => store.list(filter),
    command,
    action,
    createResponseUrl: (context) => responseUrls.create(context),
    setRateLimit: (method, limit) => limiter.set(method, limit),
    reset,
  };
}
