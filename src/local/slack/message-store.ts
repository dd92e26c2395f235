import type { LiveUpdates } from './live-updates';
import type { LocalMessage, LocalMessageKind } from './messages';
import { LOCAL_WORKSPACE } from './workspace';

/** Filters for reading messages back. */
export interface MessageFilter {
  kind?: LocalMessageKind;
  channel?: string;
  via?: string;
}

/** What an edit may change; absent fields stay as they are. */
export interface MessageEdit {
  text?: string | undefined;
  blocks?: unknown[] | undefined;
  attachments?: unknown[] | undefined;
}

/** The channel names and ids the local workspace answers to; anything else is `channel_not_found`. */
const KNOWN_CHANNELS = new Map<string, string>([
  [LOCAL_WORKSPACE.channelId, LOCAL_WORKSPACE.channelId],
  [`#${LOCAL_WORKSPACE.channelName}`, LOCAL_WORKSPACE.channelId],
  [LOCAL_WORKSPACE.channelName, LOCAL_WORKSPACE.channelId],
]);

/** The channel id a Web API `channel` argument names, if the workspace has it. */
export function knownChannel(name: unknown): string | undefined {
  return KNOWN_CHANNELS.get(String(name ?? ''));
}

/** The messages of the local workspace, in order, with Slack's increasing `ts`; every change is pushed live. */
export class MessageStore {
  private all: LocalMessage[] = [];
  private lastTsMicros = 0;

  constructor(private readonly live: LiveUpdates) {}

  add(message: Omit<LocalMessage, 'ts'>): LocalMessage {
    const stored: LocalMessage = { ...message, ts: this.nextTs() };
    this.all.push(stored);
    this.live.changed();
    return stored;
  }

  /** Applies an edit (chat.update, replace_original) and marks the message edited. */
  edit(message: LocalMessage, change: MessageEdit): void {
    if (change.text !== undefined) message.text = change.text;
    if (change.blocks !== undefined) message.blocks = change.blocks;
    if (change.attachments !== undefined) message.attachments = change.attachments;
    message.edited = true;
    this.live.changed();
  }

  remove(message: LocalMessage): void {
    this.all = this.all.filter((m) => m !== message);
    this.live.changed();
  }

  clear(): void {
    this.all = [];
    this.live.changed();
  }

  find(ts: string | undefined): LocalMessage | undefined {
    return ts === undefined ? undefined : this.all.find((m) => m.ts === ts);
  }

  /** Every message, oldest first (the page renders from this). */
  list(filter: MessageFilter = {}): LocalMessage[] {
    return this.all.filter(
      (m) =>
        (!filter.kind || m.kind === filter.kind) &&
        (!filter.channel || m.channel === filter.channel) &&
        (!filter.via || m.via === filter.via),
    );
  }

  /** What everyone in the channel sees (no ephemerals), oldest first. */
  channelMessages(channel: string): LocalMessage[] {
    return this.all.filter((m) => m.kind === 'channel' && m.channel === channel);
  }

  private nextTs(): string {
    this.lastTsMicros = Math.max(this.lastTsMicros + 1, Date.now() * 1000);
    return `${Math.floor(this.lastTsMicros / 1e6)}.${String(this.lastTsMicros % 1e6).padStart(6, '0')}`;
  }
}

/** A stored message as the Web API returns it. */
export function toApiMessage(message: LocalMessage) {
  return {
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
  };
}
