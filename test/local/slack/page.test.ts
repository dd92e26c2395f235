import { describe, expect, it } from 'vitest';
import { renderChannelPage } from '../../../src/local/slack/page';

const options = { channelName: 'incidents', botUrl: 'http://127.0.0.1:3200/slack/events' };

function pageWith(text: string): string {
  return renderChannelPage(
    [{ kind: 'channel', via: 'chat.postMessage', channel: 'C0001', ts: '1.000100', text, blocks: [] }],
    options,
  );
}

describe('renderChannelPage', () => {
  it('reads mrkdwn as Slack does: entities decoded once, then HTML-escaped', () => {
    const html = pageWith('p90 &gt; 5000 &amp; <b>not bold</b>');

    expect(html).toContain('p90 &#62; 5000 &#38; ');
    expect(html).not.toContain('&amp;gt;');
  });

  it('renders control sequences: links, date tokens by their fallback, and @here', () => {
    const html = pageWith(
      '<!here> since <!date^1795538603^{date_short_pretty}|2026-11-24T16:43Z> <https://x.example/a?b=1|console>',
    );

    expect(html).toContain('<b>@here</b>');
    expect(html).toContain('since 2026-11-24T16:43Z');
    expect(html).toContain('<a href="https://x.example/a?b=1">console</a>');
  });

  it('shows known emoji and leaves clock times alone', () => {
    const html = pageWith(':rotating_light: ALARM at 16:43:24 :unknown_one:');

    expect(html).toContain('🚨 ALARM at 16:43:24 :unknown_one:');
  });

  it('turns emoji codes in plain_text button labels into emoji unless emoji is false', () => {
    const html = renderChannelPage(
      [
        {
          kind: 'channel',
          via: 'chat.postMessage',
          channel: 'C0001',
          ts: '1.000200',
          text: 'alarm',
          blocks: [
            {
              type: 'actions',
              elements: [
                {
                  type: 'button',
                  action_id: 'a',
                  value: 'v',
                  text: { type: 'plain_text', text: ':mag: Investigate', emoji: true },
                },
                {
                  type: 'button',
                  action_id: 'b',
                  value: 'v',
                  text: { type: 'plain_text', text: ':satellite: raw', emoji: false },
                },
              ],
            },
          ],
        },
      ],
      options,
    );

    expect(html).toContain('<button>🔍 Investigate</button>');
    expect(html).toContain('<button>:satellite: raw</button>');
  });

  it('previews a PNG file inline under its link, as Slack previews the alarm graph', () => {
    const html = renderChannelPage(
      [
        {
          kind: 'channel',
          via: 'files.completeUploadExternal',
          channel: 'C0001',
          ts: '1.000300',
          text: '',
          blocks: [],
          files: [
            { id: 'F1', name: 'graph.png', title: 'errors graph', length: 1824, url_private: '/files/F1' },
          ],
        },
      ],
      options,
    );

    expect(html).toContain(
      '<a href="/files/F1">errors graph</a> (1824 bytes)<br><img src="/files/F1" alt="errors graph">',
    );
  });

  it('keeps code blocks verbatim', () => {
    const html = pageWith('```a *b* :mag: &lt;c&gt;\nline 2```');

    expect(html).toContain('<pre>a *b* :mag: &#60;c&#62;\nline 2</pre>');
  });

  it('shows an ephemeral reply in the thread pane, and names message and block in each button form', () => {
    const html = renderChannelPage(
      [
        {
          kind: 'channel',
          via: 'chat.postMessage',
          channel: 'C0001',
          ts: '1.000100',
          text: 'ALARM',
          blocks: [
            {
              type: 'actions',
              block_id: 'alarm_actions',
              elements: [
                {
                  type: 'button',
                  action_id: 'alarm_ack',
                  text: { type: 'plain_text', text: 'Ack' },
                  value: '{"a":1}',
                },
              ],
            },
          ],
        },
        {
          kind: 'ephemeral',
          via: 'chat.postEphemeral',
          channel: 'C0001',
          ts: '1.000200',
          text: 'only for you, in the thread',
          blocks: [],
          user: 'U0001',
          threadTs: '1.000100',
        },
      ],
      { ...options, thread: '1.000100' },
    );

    expect(html).toMatch(/<div class="thread"><div class="message ephemeral".*only for you, in the thread/);
    expect(html).toContain('data-thread="1.000100">1 reply</a>');
    expect(html).toMatch(/<aside id="thread" aria-label="thread"><div class="pane-head">/);
    expect(html).toContain(
      '<input type="hidden" name="actionId" value="alarm_ack"><input type="hidden" name="value" value="{&#34;a&#34;:1}"><input type="hidden" name="messageTs" value="1.000100"><input type="hidden" name="blockId" value="alarm_actions">',
    );
  });
});
