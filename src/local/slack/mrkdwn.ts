/** Escapes text for HTML (every character that could open markup or an attribute). */
export function escapeHtml(text: string): string {
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
export function emojify(html: string): string {
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
export function mrkdwn(text: string): string {
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

/** Renders a text object (plain_text or mrkdwn) as HTML. */
export function textOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const { type, text, emoji } = value as { type?: unknown; text?: unknown; emoji?: unknown };
  if (typeof text !== 'string') return '';
  if (type === 'mrkdwn') return mrkdwn(text);
  // plain_text turns emoji codes into emoji unless `emoji: false`.
  return emoji === false ? escapeHtml(text) : emojify(escapeHtml(text));
}
