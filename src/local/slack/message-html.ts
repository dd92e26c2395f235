import type { LocalMessage } from './messages';
import { escapeHtml, mrkdwn, textOf } from './mrkdwn';

/** The message and block a button sits in, sent with a click so the bot gets Slack's payload. */
interface ButtonPlace {
  messageTs?: string;
  blockId?: string;
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

/** The plain text of a Block Kit text object (or ''), for the confirmation dialog's fields. */
function plainOf(value: unknown): string {
  const text = (value as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

/**
 * A button's `confirm` object as the page's dialog reads it: Slack shows this dialog first and sends
 * the click only when the user confirms (https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object).
 */
function confirmAttribute(confirm: unknown): string {
  if (typeof confirm !== 'object' || confirm === null) return '';
  const c = confirm as Record<string, unknown>;
  const dialog = {
    title: plainOf(c.title) || 'Are you sure?',
    text: plainOf(c.text),
    confirm: plainOf(c.confirm) || 'Yes',
    deny: plainOf(c.deny) || 'Cancel',
    danger: c.style === 'danger',
  };
  return ` data-confirm="${escapeHtml(JSON.stringify(dialog))}"`;
}

function styleClass(style: unknown): string {
  return style === 'primary' || style === 'danger' ? ` class="${style}"` : '';
}

function renderButton(e: Record<string, unknown>, place: ButtonPlace): string {
  const label = textOf(e.text);
  const actionId = String(e.action_id ?? '');
  const value = String(e.value ?? '');
  if (typeof e.url === 'string') {
    // Slack opens the link and also sends the click to the app (block_actions), so the page does both.
    const action = JSON.stringify({ actionId, value, ...place });
    return `<a class="button" href="${escapeHtml(e.url)}" target="_blank" rel="noopener" data-action="${escapeHtml(action)}">${label}</a>`;
  }
  return `<form method="post" action="/_local/action" class="inline" data-local${confirmAttribute(e.confirm)}>${hidden('actionId', actionId)}${hidden('value', value)}${hidden('messageTs', place.messageTs)}${hidden('blockId', place.blockId)}<button${styleClass(e.style)}>${label}</button></form>`;
}

function renderElement(element: unknown, place: ButtonPlace = {}): string {
  if (typeof element !== 'object' || element === null) return '';
  const e = element as Record<string, unknown>;
  if (e.type === 'button') return renderButton(e, place);
  if (e.type === 'image')
    return `<img src="${escapeHtml(String(e.image_url ?? ''))}" alt="${escapeHtml(String(e.alt_text ?? ''))}">`;
  return `<span>${textOf(e)}</span>`;
}

function renderBlock(block: unknown, messageTs?: string): string {
  if (typeof block !== 'object' || block === null) return '';
  const b = block as Record<string, unknown>;
  const place: ButtonPlace = {
    ...(messageTs ? { messageTs } : {}),
    ...(typeof b.block_id === 'string' ? { blockId: b.block_id } : {}),
  };
  const elements = Array.isArray(b.elements) ? b.elements : [];
  switch (b.type) {
    case 'header':
      return `<h3>${textOf(b.text)}</h3>`;
    case 'section': {
      const fields = Array.isArray(b.fields)
        ? `<div class="fields">${b.fields.map((f) => `<div>${textOf(f)}</div>`).join('')}</div>`
        : '';
      const accessory = b.accessory ? renderElement(b.accessory, place) : '';
      return `<div class="section">${textOf(b.text)}${fields}${accessory}</div>`;
    }
    case 'context':
      return `<div class="context">${elements.map((e) => renderElement(e)).join(' ')}</div>`;
    case 'actions':
      return `<div class="actions">${elements.map((e) => renderElement(e, place)).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
    case 'image':
      return renderElement(b);
    case 'markdown':
      return `<div class="section">${mrkdwn(String(b.text ?? ''))}</div>`;
    default:
      return `<pre class="unknown">${escapeHtml(JSON.stringify(b))}</pre>`;
  }
}

// Slack's named attachment colours; anything else must be a hex colour.
const NAMED_COLOURS: Readonly<Record<string, string>> = {
  good: '#2eb886',
  warning: '#daa038',
  danger: '#a30200',
};

function colourOf(value: unknown): string {
  if (typeof value !== 'string') return '#dddddd';
  const named = NAMED_COLOURS[value];
  if (named) return named;
  const hex = /^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/.exec(value)?.[1];
  return hex ? `#${hex}` : '#dddddd';
}

/** A legacy attachment as Slack shows it: a colour bar beside its text, fields and blocks. */
function renderAttachment(attachment: unknown, messageTs: string): string {
  if (typeof attachment !== 'object' || attachment === null) return '';
  const a = attachment as Record<string, unknown>;
  const part = (value: unknown, html: (text: string) => string) =>
    typeof value === 'string' && value !== '' ? html(value) : '';
  const fields = Array.isArray(a.fields)
    ? `<div class="fields">${a.fields
        .map((f) => {
          const field = (f ?? {}) as { title?: unknown; value?: unknown };
          return `<div><b>${escapeHtml(String(field.title ?? ''))}</b><br>${mrkdwn(String(field.value ?? ''))}</div>`;
        })
        .join('')}</div>`
    : '';
  const blocks = Array.isArray(a.blocks) ? a.blocks.map((b) => renderBlock(b, messageTs)).join('') : '';
  return `<div class="attachment" style="border-left-color:${colourOf(a.color)}">${part(a.pretext, mrkdwn)}${part(
    a.title,
    (t) => `<div class="attachment-title">${escapeHtml(t)}</div>`,
  )}${part(a.text, (t) => `<div>${mrkdwn(t)}</div>`)}${fields}${blocks}${part(
    a.footer,
    (t) => `<div class="context">${escapeHtml(t)}</div>`,
  )}</div>`;
}

function renderFiles(message: LocalMessage): string {
  return (message.files ?? [])
    .map(
      (f) =>
        `<div class="file">📎 <a href="${escapeHtml(f.url_private)}">${escapeHtml(f.title)}</a> (${f.length} bytes)${
          // Slack previews images inline: the alarm graph shows under its message.
          /\.png$/i.test(f.name)
            ? `<br><img src="${escapeHtml(f.url_private)}" alt="${escapeHtml(f.title)}">`
            : ''
        }</div>`,
    )
    .join('');
}

/** One message; a channel message with replies links to its thread, which opens in the side pane. */
export function renderMessage(message: LocalMessage, replyCount = 0): string {
  const who = message.kind === 'ephemeral' ? `only visible to ${escapeHtml(message.user ?? '')}` : 'gumshoe';
  const body =
    message.blocks.length > 0
      ? message.blocks.map((b) => renderBlock(b, message.ts)).join('')
      : `<div>${mrkdwn(message.text)}</div>`;
  const attachments = (message.attachments ?? []).map((a) => renderAttachment(a, message.ts)).join('');
  const replies =
    replyCount > 0
      ? `<a class="replies" href="/?thread=${escapeHtml(message.ts)}" data-thread="${escapeHtml(message.ts)}">${replyCount} ${replyCount === 1 ? 'reply' : 'replies'}</a>`
      : '';
  return `<div class="message ${message.kind}" data-ts="${escapeHtml(message.ts)}"><div class="meta">${who} · ${escapeHtml(message.via)} · ${escapeHtml(message.ts)}${message.edited ? ' (edited)' : ''}</div>${body}${attachments}${renderFiles(message)}${replies}</div>`;
}

/** The thread pane: the parent message, then its replies (ephemeral ones too, as their user sees them). */
export function renderThread(parent: LocalMessage, replies: readonly LocalMessage[]): string {
  return `<div class="pane-head"><b>Thread</b> <a href="/" data-close-thread aria-label="close thread">✕</a></div>${renderMessage(parent)}<div class="thread">${replies.map((r) => renderMessage(r)).join('')}</div>`;
}
