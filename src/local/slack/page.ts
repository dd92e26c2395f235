import { renderMessage, renderThread } from './message-html';
import type { LocalMessage } from './messages';
import { escapeHtml } from './mrkdwn';

/** What the page header shows besides the messages, and which thread is open in the side pane. */
export interface ChannelPageOptions {
  channelName: string;
  botUrl: string;
  thread?: string;
}

/** The parts of the page that change: the channel's messages and the open thread (empty when none). */
export interface ChannelFragments {
  channel: string;
  thread: string;
}

/** Renders the messages and the open thread, for the first page load and for each live update. */
export function renderChannelFragments(messages: readonly LocalMessage[], thread?: string): ChannelFragments {
  const top = messages.filter((m) => !m.threadTs);
  const repliesOf = (ts: string) => messages.filter((r) => r.threadTs === ts);
  const channel = top.map((m) => renderMessage(m, repliesOf(m.ts).length)).join('');
  const parent = thread ? top.find((m) => m.ts === thread) : undefined;
  return {
    channel: channel || '<p><i>No messages yet.</i></p>',
    thread: parent ? renderThread(parent, repliesOf(parent.ts)) : '',
  };
}

// The page's script: live updates over server-sent events replace only the message list and the
// thread pane, never the composer, so typing survives them; forms and url buttons post in the background.
const SCRIPT = `
const state = { thread: new URL(location.href).searchParams.get('thread') };
const messages = document.getElementById('messages');
const pane = document.getElementById('thread');
async function refresh() {
  const query = state.thread ? '?thread=' + encodeURIComponent(state.thread) : '';
  const response = await fetch('/_local/fragments' + query);
  if (!response.ok) return;
  const fragments = await response.json();
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 8;
  messages.innerHTML = fragments.channel;
  if (atBottom) messages.scrollTop = messages.scrollHeight;
  pane.innerHTML = fragments.thread;
  pane.hidden = fragments.thread === '';
}
function openThread(ts) {
  state.thread = ts;
  history.replaceState(null, '', ts ? '/?thread=' + encodeURIComponent(ts) : '/');
  void refresh();
}
const events = new EventSource('/_local/events');
events.addEventListener('change', () => void refresh());
events.addEventListener('open', () => void refresh());
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const threadLink = target?.closest('a[data-thread]');
  if (threadLink) { event.preventDefault(); openThread(threadLink.dataset.thread); return; }
  if (target?.closest('a[data-close-thread]')) { event.preventDefault(); openThread(null); return; }
  const urlButton = target?.closest('a[data-action]');
  if (urlButton) {
    void fetch('/_local/action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: urlButton.dataset.action, keepalive: true });
  }
});
function post(form) {
  const body = JSON.stringify(Object.fromEntries(new FormData(form)));
  if (form.id === 'composer') form.elements.namedItem('text').value = '';
  void fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}
// A button with a confirm object: Slack asks first and sends the click only on confirm.
const dialog = document.getElementById('confirm');
function confirmThen(form) {
  const spec = JSON.parse(form.dataset.confirm);
  for (const part of ['title', 'text', 'confirm', 'deny']) dialog.querySelector('[data-part=' + part + ']').textContent = spec[part];
  dialog.querySelector('[data-part=confirm]').className = spec.danger ? 'danger' : 'primary';
  dialog.returnValue = '';
  dialog.onclose = () => { if (dialog.returnValue === 'confirm') post(form); };
  dialog.showModal();
}
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-local')) return;
  event.preventDefault();
  if (form.dataset.confirm) confirmThen(form);
  else post(form);
});
`;

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1d1c1d;height:100vh;display:flex;flex-direction:column}
header{padding:.5rem 1rem;border-bottom:1px solid #ddd}
.layout{flex:1;display:flex;min-height:0}
#channel{flex:1;display:flex;flex-direction:column;min-width:0}
#messages{flex:1;overflow-y:auto;padding:0 1rem}
#thread{width:min(42%,520px);border-left:1px solid #ddd;overflow-y:auto;padding:0 1rem}
#thread[hidden]{display:none}
.pane-head{display:flex;justify-content:space-between;padding:.6rem 0;border-bottom:1px solid #eee}
#composer{padding:.6rem 1rem;border-top:1px solid #ddd;display:flex;gap:.4rem}
#composer input[name=text]{flex:1}
.message{border-left:3px solid #ddd;padding:.4rem .8rem;margin:.6rem 0;overflow-wrap:anywhere}
.message.ephemeral{background:#f4f8ff;border-color:#1264a3}
.meta{color:#616061;font-size:.8rem}.context{color:#616061;font-size:.85rem}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.3rem}.thread{margin-left:.5rem}
.attachment{border-left:4px solid #ddd;padding:.2rem .6rem;margin:.4rem 0}
.attachment-title{font-weight:bold}
pre{background:#f6f6f6;padding:.4rem;white-space:pre-wrap;overflow-wrap:anywhere}
.inline{display:inline}.replies{display:inline-block;margin-top:.3rem;font-size:.85rem;color:#1264a3}
.file img{max-width:100%;border:1px solid #ddd;margin-top:.3rem}
.button,button{border:1px solid #bbb;border-radius:4px;padding:.2rem .6rem;background:#fff;text-decoration:none;color:#1d1c1d;cursor:pointer}
button.primary{background:#007a5a;border-color:#007a5a;color:#fff}button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
#confirm{border:1px solid #ddd;border-radius:8px;max-width:28rem}#confirm menu{display:flex;justify-content:flex-end;gap:.4rem;padding:0}
`;

/** Renders the channel with a side pane for the open thread, updated live without touching the composer. */
export function renderChannelPage(messages: readonly LocalMessage[], options: ChannelPageOptions): string {
  const fragments = renderChannelFragments(messages, options.thread);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>#${escapeHtml(options.channelName)} · local Slack</title>
<style>${STYLE}</style></head><body>
<header><b>#${escapeHtml(options.channelName)}</b> <small>bot at ${escapeHtml(options.botUrl)}</small></header>
<div class="layout">
<main id="channel"><div id="messages">${fragments.channel}</div>
<form id="composer" method="post" action="/_local/command" data-local>
<input name="command" value="/trace" size="10" aria-label="command">
<input name="text" placeholder="session id, trace id or help" aria-label="text" autocomplete="off">
<button>Send</button></form></main>
<aside id="thread" aria-label="thread"${fragments.thread ? '' : ' hidden'}>${fragments.thread}</aside>
</div>
<dialog id="confirm" aria-labelledby="confirm-title"><form method="dialog"><h3 id="confirm-title" data-part="title"></h3><p data-part="text"></p>
<menu><button value="deny" data-part="deny"></button><button value="confirm" data-part="confirm"></button></menu></form></dialog>
<script>${SCRIPT}</script>
</body></html>`;
}
