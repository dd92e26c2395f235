import { describe, expect, it } from 'vitest';
import {
  actions,
  type Block,
  button,
  codeBlock,
  context,
  fields,
  formatScan,
  header,
  section,
  truncate,
} from '../../../src/commands/slack/block-kit';
import { SlackLimitError, validateMessage } from '../../../src/commands/slack/validate-message';

const ok = (blocks: Block[]) => validateMessage(blocks, 'fallback');

describe('validateMessage', () => {
  it('accepts a message built with the helpers', () => {
    const blocks = [
      header('Title'),
      section('text', button('a', 'Go', { value: 'v' })),
      fields(['a', 'b']),
      context('c'),
      actions([button('x', 'X'), button('y', 'Y', { url: 'https://example.com' })]),
      codeBlock('code'),
    ];
    expect(ok(blocks).blocks).toHaveLength(6);
  });

  it.each<[string, Block[] | (() => Block[]), string]>([
    ['more than 50 blocks', Array.from({ length: 51 }, () => section('x')), 'blocks'],
    [
      'a section over 3000',
      [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }],
      'blocks.0.text.text',
    ],
    [
      'a header over 150',
      [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }],
      'blocks.0.text.text',
    ],
    [
      '11 fields',
      [
        {
          type: 'section',
          fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' })),
        },
      ],
      'blocks.0.fields',
    ],
    [
      'a field over 2000',
      [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'x'.repeat(2001) }] }],
      'blocks.0.fields.0.text',
    ],
    [
      '11 context elements',
      [
        {
          type: 'context',
          elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'c' })),
        },
      ],
      'blocks.0.elements',
    ],
    [
      '26 buttons',
      [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`a${i}`, 'b')) }],
      'blocks.0.elements',
    ],
    [
      'duplicate action ids in a block',
      [{ type: 'actions', elements: [button('same', 'a'), button('same', 'b')] }],
      'blocks.0.elements',
    ],
    [
      'button text over 75',
      [
        {
          type: 'actions',
          elements: [{ ...button('a', 'b'), text: { type: 'plain_text', text: 'x'.repeat(76) } }],
        },
      ],
      'text.text',
    ],
    [
      'button value over 2000',
      [{ type: 'actions', elements: [{ ...button('a', 'b'), value: 'x'.repeat(2001) }] }],
      'value',
    ],
    [
      'button url over 3000',
      [{ type: 'actions', elements: [{ ...button('a', 'b'), url: `https://${'x'.repeat(3000)}` }] }],
      'url',
    ],
    ['an action_id over 255', [{ type: 'actions', elements: [button('x'.repeat(256), 'b')] }], 'action_id'],
    ['a section with neither text nor fields', [{ type: 'section' }], 'blocks.0'],
    [
      'too much text in total',
      Array.from({ length: 4 }, () => section('x'.repeat(3000))),
      'characters of text',
    ],
  ])('refuses %s', (_name, blocks, where) => {
    const list = typeof blocks === 'function' ? blocks() : blocks;
    expect(() => ok(list)).toThrow(SlackLimitError);
    expect(() => ok(list)).toThrow(where);
  });

  it('requires top-level text', () => {
    expect(() => validateMessage([section('x')], '')).toThrow(SlackLimitError);
  });
});

describe('block helpers', () => {
  it('truncate with an ellipsis within the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(header('x'.repeat(500)).type).toBe('header');
    expect(() =>
      ok([header('x'.repeat(500)), section('y'.repeat(9000)), codeBlock('z'.repeat(9000))]),
    ).not.toThrow();
  });

  it('break up triple backticks inside a code block', () => {
    const block = codeBlock('a```b');
    expect(block.type === 'section' && block.text?.text).toBe('```a`\u200b`\u200b`b```');
  });

  it('refuse a button value Slack would reject', () => {
    expect(() => button('a', 'b', { value: 'x'.repeat(2001) })).toThrow(RangeError);
  });

  it('format what a query scanned', () => {
    expect(formatScan({ recordsScanned: 12_345, bytesScanned: 4_200_000, durationMs: 1300 })).toBe(
      'Scanned 12,345 records · 4.2 MB · 1.3 s',
    );
    expect(formatScan({ recordsScanned: 3, bytesScanned: 2500, durationMs: 40 })).toBe(
      'Scanned 3 records · 2.5 KB · 0.0 s',
    );
  });
});
