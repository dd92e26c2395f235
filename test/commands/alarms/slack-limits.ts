import { expect } from 'vitest';
import type { Block, ButtonElement, SlackMessage } from '../../../src/commands/alarms/block-kit';

/**
 * Asserts Slack's documented Block Kit limits (aws-and-slack-facts §6.1). Stand-in until the
 * shared `validateMessage` of src/commands/slack/ lands.
 */
export function expectWithinSlackLimits(message: SlackMessage): void {
  const all: Block[] = [...message.blocks, ...(message.attachments ?? []).flatMap((a) => a.blocks)];
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(40_000);
  expect(all.length).toBeLessThanOrEqual(50);
  let total = 0;
  for (const block of all) {
    if (block.block_id !== undefined) expect(block.block_id.length).toBeLessThanOrEqual(255);
    switch (block.type) {
      case 'header':
        expect(block.text.text.length).toBeLessThanOrEqual(150);
        total += block.text.text.length;
        break;
      case 'section':
        expect(block.text.text.length).toBeGreaterThan(0);
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
        total += block.text.text.length;
        if (block.accessory) expectButton(block.accessory);
        break;
      case 'context':
        expect(block.elements.length).toBeLessThanOrEqual(10);
        for (const e of block.elements) {
          expect(e.text.length).toBeLessThanOrEqual(3000);
          total += e.text.length;
        }
        break;
      case 'actions': {
        expect(block.elements.length).toBeLessThanOrEqual(25);
        const ids = block.elements.map((e) => e.action_id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const e of block.elements) expectButton(e);
        break;
      }
      case 'divider':
        break;
    }
  }
  // msg_blocks_too_long has been seen near 13.2 k characters of block content (bolt-js #2509).
  expect(total).toBeLessThanOrEqual(12_000);
}

function expectButton(e: ButtonElement): void {
  expect(e.action_id.length).toBeLessThanOrEqual(255);
  expect(e.text.text.length).toBeGreaterThan(0);
  expect(e.text.text.length).toBeLessThanOrEqual(75);
  if (e.value !== undefined) expect(e.value.length).toBeLessThanOrEqual(2000);
  if (e.url !== undefined) expect(e.url.length).toBeLessThanOrEqual(3000);
}
