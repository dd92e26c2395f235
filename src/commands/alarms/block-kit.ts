/**
 * Minimal Block Kit types for the alarm and X-Ray views.
 * Placeholder until the shared builder in src/commands/slack/ lands; kept tiny so the switch is mechanical.
 */

export interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export interface ButtonElement {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: TextObject;
  readonly value?: string;
  readonly url?: string;
  readonly style?: 'primary' | 'danger';
}

export type Block =
  | { readonly type: 'header'; readonly text: TextObject; readonly block_id?: string }
  | {
      readonly type: 'section';
      readonly text: TextObject;
      readonly block_id?: string;
      readonly accessory?: ButtonElement;
    }
  | { readonly type: 'context'; readonly elements: TextObject[]; readonly block_id?: string }
  | { readonly type: 'actions'; readonly elements: ButtonElement[]; readonly block_id?: string }
  | { readonly type: 'divider'; readonly block_id?: string };

export interface Attachment {
  /** Slack draws this colour as a vertical bar left of the attachment's blocks. */
  readonly color: string;
  readonly fallback?: string;
  readonly blocks: Block[];
}

/** A chat.postMessage / chat.update body without the channel. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
  readonly attachments?: Attachment[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn text object. */
export function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text };
}

/** A plain-text text object with emoji shortcodes enabled. */
export function plain(text: string): TextObject {
  return { type: 'plain_text', text, emoji: true };
}

/** Cuts text to at most max characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Wraps text in a code block whose total length stays within max characters (Slack's section limit is 3000). */
export function codeBlock(text: string, max = 3000): string {
  // Triple backticks inside the text would close the block early.
  const safe = text.replace(/```/g, '`\u200b``');
  return `\`\`\`${truncate(safe, max - 6)}\`\`\``;
}
