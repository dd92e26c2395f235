import { randomBytes } from 'node:crypto';
import { signSlackRequest } from './signing';
import { LOCAL_WORKSPACE } from './workspace';

/** What the local Slack puts in a slash command besides the command and its text. */
export interface SlashCommandOptions {
  command: string;
  text: string;
  responseUrl: string;
  signingSecret: string;
  channelId?: string;
  userId?: string;
  timestampSeconds?: number;
}

/** What the local Slack puts in a block_actions payload. */
export interface BlockActionOptions {
  actionId: string;
  value: string;
  responseUrl: string;
  signingSecret: string;
  blockId?: string;
  channelId?: string;
  userId?: string;
  messageTs?: string;
  /** The clicked message as Slack sends it in the payload (`message`): ts, thread_ts, text, blocks. */
  message?: Record<string, unknown>;
  /** The clicked message is an ephemeral one (Slack then sends no `message`). */
  ephemeral?: boolean;
  timestampSeconds?: number;
}

/** A signed request ready to send: the raw form body and Slack's headers. */
export interface SignedSlackRequest {
  body: string;
  headers: Record<string, string>;
}

/** The bot's answer as the sender saw it. */
export interface SlackSendResult {
  status: number;
  body: string;
  elapsedMs: number;
}

function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).toString('hex')}`;
}

function signed(body: string, secret: string, timestampSeconds?: number): SignedSlackRequest {
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(secret, body, timestampSeconds),
    },
  };
}

/** Builds a slash command request the way Slack does: form-encoded and signed. */
export function buildSlashCommandRequest(options: SlashCommandOptions): SignedSlackRequest {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: LOCAL_WORKSPACE.teamId,
    team_domain: LOCAL_WORKSPACE.teamDomain,
    channel_id: options.channelId ?? LOCAL_WORKSPACE.channelId,
    channel_name: LOCAL_WORKSPACE.channelName,
    user_id: options.userId ?? LOCAL_WORKSPACE.userId,
    user_name: LOCAL_WORKSPACE.userName,
    command: options.command,
    text: options.text,
    api_app_id: LOCAL_WORKSPACE.appId,
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: triggerId(),
  });
  return signed(form.toString(), options.signingSecret, options.timestampSeconds);
}

/** Builds a block_actions request the way Slack does: `payload=<json>`, form-encoded and signed. */
export function buildBlockActionRequest(options: BlockActionOptions): SignedSlackRequest {
  const channelId = options.channelId ?? LOCAL_WORKSPACE.channelId;
  const userId = options.userId ?? LOCAL_WORKSPACE.userId;
  const payload = {
    type: 'block_actions',
    team: { id: LOCAL_WORKSPACE.teamId, domain: LOCAL_WORKSPACE.teamDomain },
    user: { id: userId, username: LOCAL_WORKSPACE.userName, team_id: LOCAL_WORKSPACE.teamId },
    api_app_id: LOCAL_WORKSPACE.appId,
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: options.messageTs ?? '0.0',
      channel_id: channelId,
      is_ephemeral: options.ephemeral ?? false,
      ...(typeof options.message?.thread_ts === 'string' ? { thread_ts: options.message.thread_ts } : {}),
    },
    trigger_id: triggerId(),
    channel: { id: channelId, name: LOCAL_WORKSPACE.channelName },
    response_url: options.responseUrl,
    ...(options.message ? { message: options.message } : {}),
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: options.blockId ?? 'actions',
        value: options.value,
        text: { type: 'plain_text', text: options.actionId },
        action_ts: (Date.now() / 1000).toFixed(6),
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return signed(body, options.signingSecret, options.timestampSeconds);
}

/** Posts a signed request to the bot and measures how long the answer took. */
export async function sendSignedRequest(
  botUrl: string,
  request: SignedSlackRequest,
): Promise<SlackSendResult> {
  const started = performance.now();
  const response = await fetch(botUrl, { method: 'POST', headers: request.headers, body: request.body });
  const body = await response.text();
  return { status: response.status, body, elapsedMs: performance.now() - started };
}

/** Sends a signed slash command to the bot. */
export function sendSlashCommand(botUrl: string, options: SlashCommandOptions): Promise<SlackSendResult> {
  return sendSignedRequest(botUrl, buildSlashCommandRequest(options));
}

/** Sends a signed button click (block_actions) to the bot. */
export function sendBlockAction(botUrl: string, options: BlockActionOptions): Promise<SlackSendResult> {
  return sendSignedRequest(botUrl, buildBlockActionRequest(options));
}
