import type { LocalMessage } from './messages';

/** What the page header shows besides the messages. */
export interface ChannelPageOptions {
  channelName: string;
  botUrl: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The few emoji our messages use; others stay as their :code:, as Slack shows unknown ones.
const EMOJI: Readonly<Record<string, string>> = {
  rotating_light: '🚨',
  white_check_mark: '✅',
  warning: '⚠️',
  mag: '🔍',
  office: '🏢',
  earth_africa: '🌍',
  grey_question: '❔',
  x: '❌',
  red_circle: '🔴',
  large_green_circle: '🟢',
  hourglass_flowing_sand: '⏳',
  bell: '🔔',
  mute: '🔇',
  stopwatch: '⏱️',
  zap: '⚡',
  satellite: '📡',
  alarm_clock: '⏰',
  moneybag: '💰',
  no_bell: '🔕',
  raised_hand: '✋',
};

/** Slack's `:name:` codes of the emoji our messages use; unknown codes stay as written, as Slack shows them. */
function emojify(html: string): string {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
}

/** Renders one Slack control sequence (`<…>`): links, mentions and date tokens. */
function controlSequence(inner: string): string {
  const [target = '', label] = inner.split('|', 2);
  if (target.startsWith('!date^')) return escapeHtml(label ?? target);
  if (target.startsWith('!')) return `<b>@${escapeHtml(target.slice(1))}</b>`;
  if (target.startsWith('@') || target.startsWith('#'))
    return `<b>${escapeHtml(label ? `${target[0]}${label}` : target)}</b>`;
  const url = escapeHtml(target);
  return `<a href="${url}">${escapeHtml(label ?? target)}</a>`;
}

/**
 * A little mrkdwn as Slack reads it: control sequences (`<url|label>`, `<!here>`, `<!date^…|fallback>`)
 * first, then Slack's three entities (`&amp;`, `&lt;`, `&gt;`) decoded before HTML-escaping, then code
 * blocks, inline code, bold, italics and the emoji our messages use.
 */
function mrkdwn(text: string): string {
  const tokens: string[] = [];
  // Placeholders use private-use code points, which are stripped from the input so text cannot forge one.
  const withPlaceholders = text
    .replace(/[\uE000\uE001]/g, '')
    .replace(/<([^<>\n]+)>/g, (_m, inner: string) => {
      tokens.push(controlSequence(inner));
      return `\uE000${tokens.length - 1}\uE000`;
    });
  const decoded = withPlaceholders.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  // Code is shown as written: no bold, italics or emoji inside it.
  const code: string[] = [];
  const keep = (html: string): string => {
    code.push(html);
    return `\uE001${code.length - 1}\uE001`;
  };
  return escapeHtml(decoded)
    .replace(/```([\s\S]*?)```/g, (_m, body: string) => keep(`<pre>${body}</pre>`))
    .replace(/`([^`\n]+)`/g, (_m, body: string) => keep(`<code>${body}</code>`))
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/:[a-z0-9_+-]+:/g, emojify)
    .replace(/\n/g, '<br>')
    .replace(/\uE001(\d+)\uE001/g, (_m, i: string) => code[Number(i)] ?? '')
    .replace(/\uE000(\d+)\uE000/g, (_m, i: string) => tokens[Number(i)] ?? '');
}

function textOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const { type, text, emoji } = value as { type?: unknown; text?: unknown; emoji?: unknown };
  if (typeof text !== 'string') return '';
  if (type === 'mrkdwn') return mrkdwn(text);
  // plain_text turns emoji codes into emoji unless `emoji: false`.
  return emoji === false ? escapeHtml(text) : emojify(escapeHtml(text));
}

/** The message and block a button sits in, sent with a click so the bot gets Slack's payload. */
interface ButtonPlace {
  messageTs?: string;
  blockId?: string;
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

function renderElement(element: unknown, place: ButtonPlace = {}): string {
  if (typeof element !== 'object' || element === null) return '';
  const e = element as Record<string, unknown>;
  if (e.type === 'button') {
    const label = textOf(e.text);
    if (typeof e.url === 'string') return `<a class="button" href="${escapeHtml(e.url)}">${label}</a>`;
    return `<form method="post" action="/_local/action" class="inline">${hidden('actionId', String(e.action_id ?? ''))}${hidden('value', String(e.value ?? ''))}${hidden('messageTs', place.messageTs)}${hidden('blockId', place.blockId)}<button>${label}</button></form>`;
  }
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
      return `<div class="context">${(Array.isArray(b.elements) ? b.elements : []).map((e) => renderElement(e)).join(' ')}</div>`;
    case 'actions':
      return `<div class="actions">${(Array.isArray(b.elements) ? b.elements : []).map((e) => renderElement(e, place)).join(' ')}</div>`;
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

function renderMessage(message: LocalMessage, replies: LocalMessage[]): string {
  const who = message.kind === 'ephemeral' ? `only visible to ${escapeHtml(message.user ?? '')}` : 'gumshoe';
  const body =
    message.blocks.length > 0
      ? message.blocks.map((b) => renderBlock(b, message.ts)).join('')
      : `<div>${mrkdwn(message.text)}</div>`;
  const files = (message.files ?? [])
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
  const thread = replies.length
    ? `<div class="thread">${replies.map((r) => renderMessage(r, [])).join('')}</div>`
    : '';
  return `<div class="message ${message.kind}"><div class="meta">${who} · ${escapeHtml(message.via)} · ${escapeHtml(message.ts)}${message.edited ? ' (edited)' : ''}</div>${body}${files}${thread}</div>`;
}

/** Renders the channel as an auto-refreshing page with a form to type a slash command. */
export function renderChannelPage(messages: readonly LocalMessage[], options: ChannelPageOptions): string {
  const top = messages.filter((m) => !m.threadTs);
  const items = top
    .map((m) =>
      renderMessage(
        m,
        // Ephemeral replies in a thread show there too, as Slack shows them to their user.
        messages.filter((r) => r.threadTs === m.ts),
      ),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>#${escapeHtml(options.channelName)} · local Slack</title>
<style>
body{font-family:system-ui,sans-serif;max-width:900px;margin:1rem auto;color:#1d1c1d}
.message{border-left:3px solid #ddd;padding:.4rem .8rem;margin:.6rem 0}
.message.ephemeral{background:#f4f8ff;border-color:#1264a3}
.meta{color:#616061;font-size:.8rem}.context{color:#616061;font-size:.85rem}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.3rem}.thread{margin-left:1.5rem}
pre{background:#f6f6f6;padding:.4rem;overflow-x:auto}.inline{display:inline}
.file img{max-width:560px;border:1px solid #ddd;margin-top:.3rem}
.button,button{border:1px solid #bbb;border-radius:4px;padding:.2rem .6rem;background:#fff;text-decoration:none;color:#1d1c1d}
</style></head><body>
<h2>#${escapeHtml(options.channelName)}</h2>
<form method="post" action="/_local/command">
<input name="command" value="/trace" size="10" aria-label="command">
<input name="text" size="60" placeholder="session id, trace id or help" aria-label="text">
<button>Send</button> <small>to ${escapeHtml(options.botUrl)}</small></form>
${items || '<p><i>No messages yet.</i></p>'}
</body></html>`;
}
