/** Where a stored message is visible: in the channel, or only to one user. */
export type LocalMessageKind = 'channel' | 'ephemeral';

/** A file shared through files.completeUploadExternal. */
export interface LocalFile {
  id: string;
  name: string;
  title: string;
  length: number;
  url_private: string;
}

/** One message as the local Slack keeps it. */
export interface LocalMessage {
  kind: LocalMessageKind;
  /** How it arrived: a Web API method, a response_url, or the bot's HTTP ack body. */
  via: string;
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  user?: string;
  threadTs?: string;
  files?: LocalFile[];
  /** Legacy attachments (the alarm's colour bar), as the bot sent them. */
  attachments?: unknown[];
  edited?: boolean;
  /** Message metadata (chat.postMessage `metadata`), returned by history with `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}
