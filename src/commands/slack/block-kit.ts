/**
 * The one tiny Block Kit builder of the core: plain JSON objects (no @slack/* import), with
 * truncation that keeps every text within Slack's limits (see validate-message.ts).
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
  /** Slack asks the user to confirm in a dialog before sending the click. */
  readonly confirm?: {
    readonly title: TextObject;
    readonly text: TextObject;
    readonly confirm: TextObject;
    readonly deny: TextObject;
    readonly style?: 'primary' | 'danger';
  };
}

export type Block =
  | { readonly type: 'header'; readonly text: TextObject; readonly block_id?: string }
  | {
      readonly type: 'section';
      readonly text?: TextObject;
      readonly fields?: TextObject[];
      readonly block_id?: string;
      readonly accessory?: ButtonElement;
    }
  | { readonly type: 'context'; readonly elements: TextObject[]; readonly block_id?: string }
  | { readonly type: 'actions'; readonly elements: ButtonElement[]; readonly block_id?: string }
  | { readonly type: 'divider'; readonly block_id?: string };

/** A chat.postMessage / response_url body without the channel; `text` is the notification fallback. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** Slack's per-item limits (Block Kit reference; node-slack-sdk types). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  /** bolt-js #2509: `msg_blocks_too_long` near 13.2k total characters; we stay well under. */
  totalBlockText: 11_000,
  topLevelText: 40_000,
} as const;

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn text object. */
export function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text };
}

/** A plain-text text object with emoji shortcodes on. */
export function plain(text: string): TextObject {
  return { type: 'plain_text', text, emoji: true };
}

/** A header block; text cut to 150 characters. */
export function header(text: string): Block {
  return { type: 'header', text: plain(truncate(text, SLACK_LIMITS.headerText)) };
}

/** A section with mrkdwn text cut to 3000 characters, optionally with a button beside it. */
export function section(text: string, accessory?: ButtonElement): Block {
  const body = mrkdwn(truncate(text, SLACK_LIMITS.sectionText));
  return accessory ? { type: 'section', text: body, accessory } : { type: 'section', text: body };
}

/** A two-column section of at most 10 fields, each cut to 2000 characters. */
export function fields(items: readonly string[]): Block {
  return {
    type: 'section',
    fields: items.slice(0, SLACK_LIMITS.fields).map((t) => mrkdwn(truncate(t, SLACK_LIMITS.fieldText))),
  };
}

/** A context line of at most 10 mrkdwn elements. */
export function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .slice(0, SLACK_LIMITS.contextElements)
      .map((t) => mrkdwn(truncate(t, SLACK_LIMITS.sectionText))),
  };
}

/** An actions block of at most 25 buttons. */
export function actions(elements: readonly ButtonElement[], blockId?: string): Block {
  const block = { type: 'actions' as const, elements: elements.slice(0, SLACK_LIMITS.actionsElements) };
  return blockId ? { ...block, block_id: blockId } : block;
}

/** A divider. */
export function divider(): Block {
  return { type: 'divider' };
}

/** Options of {@link button}. */
export interface ButtonOptions {
  readonly value?: string;
  readonly url?: string;
  readonly style?: 'primary' | 'danger';
}

/** A button; the label is cut to 75 characters. Values over 2000 characters are a bug and throw. */
export function button(actionId: string, label: string, options: ButtonOptions = {}): ButtonElement {
  if (options.value !== undefined && options.value.length > SLACK_LIMITS.buttonValue) {
    throw new RangeError(`button value of ${options.value.length} characters exceeds Slack's 2000`);
  }
  return {
    type: 'button',
    action_id: actionId,
    text: plain(truncate(label, SLACK_LIMITS.buttonText)),
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.url === undefined ? {} : { url: options.url }),
    ...(options.style === undefined ? {} : { style: options.style }),
  };
}

/**
 * A preformatted block (```…```) in a section. Triple backticks inside would close the block early,
 * so they are broken up; the text is cut to fit the section limit with its fences.
 */
export function codeBlock(text: string, max: number = SLACK_LIMITS.sectionText): Block {
  const safe = text.replace(/```/g, '`\u200b`\u200b`');
  return section(`\`\`\`${truncate(safe, max - 6)}\`\`\``);
}

/** Formats a count with thousands separators (`12,345`). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** What a set of queries scanned, for the context line of every answer. */
export interface ScanSummary {
  readonly recordsScanned: number;
  readonly bytesScanned: number;
  readonly durationMs: number;
}

/** "Scanned 12,345 records · 4.2 MB · 1.3 s": every answer says what it cost. */
export function formatScan(scan: ScanSummary): string {
  const mb = scan.bytesScanned / 1_000_000;
  const size = mb >= 0.1 || mb === 0 ? `${mb.toFixed(1)} MB` : `${(scan.bytesScanned / 1000).toFixed(1)} KB`;
  return `Scanned ${formatCount(scan.recordsScanned)} records · ${size} · ${(scan.durationMs / 1000).toFixed(1)} s`;
}

/** Adds up the scan figures of several queries (queries run in parallel take the longest duration). */
export function sumScans(scans: readonly ScanSummary[], parallel = false): ScanSummary {
  return {
    recordsScanned: scans.reduce((s, x) => s + x.recordsScanned, 0),
    bytesScanned: scans.reduce((s, x) => s + x.bytesScanned, 0),
    durationMs: parallel
      ? Math.max(0, ...scans.map((x) => x.durationMs))
      : scans.reduce((s, x) => s + x.durationMs, 0),
  };
}
