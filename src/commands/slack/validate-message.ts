import * as z from 'zod';
import { type Block, SLACK_LIMITS, type SlackMessage } from './block-kit';

const text = (max: number) =>
  z.object({
    type: z.enum(['mrkdwn', 'plain_text']),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });
const id = z.string().min(1).max(SLACK_LIMITS.id);

const Button = z.object({
  type: z.literal('button'),
  action_id: id,
  text: z
    .object({ type: z.literal('plain_text'), text: z.string().min(1).max(SLACK_LIMITS.buttonText) })
    .loose(),
  value: z.string().max(SLACK_LIMITS.buttonValue).optional(),
  url: z.string().max(SLACK_LIMITS.buttonUrl).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});

const uniqueActionIds = (elements: { action_id: string }[]) =>
  new Set(elements.map((e) => e.action_id)).size === elements.length;

const BlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), text: text(SLACK_LIMITS.headerText), block_id: id.optional() }),
  z
    .object({
      type: z.literal('section'),
      text: text(SLACK_LIMITS.sectionText).optional(),
      fields: z.array(text(SLACK_LIMITS.fieldText)).min(1).max(SLACK_LIMITS.fields).optional(),
      block_id: id.optional(),
      accessory: Button.optional(),
    })
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z.object({
    type: z.literal('context'),
    elements: z.array(text(SLACK_LIMITS.sectionText)).min(1).max(SLACK_LIMITS.contextElements),
    block_id: id.optional(),
  }),
  z.object({
    type: z.literal('actions'),
    elements: z
      .array(Button)
      .min(1)
      .max(SLACK_LIMITS.actionsElements)
      .refine(uniqueActionIds, 'action_id must be unique within its block'),
    block_id: id.optional(),
  }),
  z.object({ type: z.literal('divider'), block_id: id.optional() }),
]);

/** Every character of text a block carries (what Slack counts towards `msg_blocks_too_long`). */
export function blockTextLength(blocks: readonly Block[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'header') total += block.text.text.length;
    if (block.type === 'section') {
      total += block.text?.text.length ?? 0;
      for (const f of block.fields ?? []) total += f.text.length;
      if (block.accessory) total += block.accessory.text.text.length;
    }
    if (block.type === 'context') for (const e of block.elements) total += e.text.length;
    if (block.type === 'actions') for (const e of block.elements) total += e.text.text.length;
  }
  return total;
}

/** A message that breaks one of Slack's limits: always a bug in a view. */
export class SlackLimitError extends Error {
  override readonly name = 'SlackLimitError';
}

const MessageSchema = z.object({
  text: z.string().min(1).max(SLACK_LIMITS.topLevelText),
  blocks: z.array(BlockSchema).max(SLACK_LIMITS.blocks),
});

/**
 * Checks a message against Slack's Block Kit limits (block count, text lengths, buttons, unique
 * action ids, total text) and returns it; throws SlackLimitError naming the path that failed.
 */
export function validateMessage(blocks: readonly Block[], fallbackText: string): SlackMessage {
  const parsed = MessageSchema.safeParse({ text: fallbackText, blocks });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlackLimitError(
      `Slack limit broken at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
      {
        cause: parsed.error,
      },
    );
  }
  const total = blockTextLength(blocks);
  if (total > SLACK_LIMITS.totalBlockText) {
    throw new SlackLimitError(
      `blocks carry ${total} characters of text, over ${SLACK_LIMITS.totalBlockText}`,
    );
  }
  return { text: fallbackText, blocks: [...blocks] };
}
