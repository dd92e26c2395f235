/**
 * Slack's checks on a message a bot sends, so the local Slack refuses what Slack refuses, with Slack's
 * error names: `msg_too_long`, `invalid_blocks`, `too_many_attachments`, `invalid_attachments`.
 * Limits from the Block Kit reference (https://api.slack.com/reference/block-kit/blocks) and
 * chat.postMessage (https://api.slack.com/methods/chat.postMessage#errors).
 */
export const BLOCK_KIT_LIMITS = {
  messageText: 40_000,
  blocksPerMessage: 50,
  attachmentsPerMessage: 100,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  url: 3000,
  altText: 2000,
  markdownText: 12_000,
} as const;

/** Why Slack refused a message: its error name and, for blocks, a pointer per problem. */
export interface MessageRefusal {
  error: 'msg_too_long' | 'invalid_blocks' | 'too_many_attachments' | 'invalid_attachments';
  messages: string[];
}

type Json = Record<string, unknown>;
const L = BLOCK_KIT_LIMITS;
const BLOCK_TYPES = new Set([
  'section',
  'header',
  'divider',
  'actions',
  'context',
  'image',
  'markdown',
  'rich_text',
]);
const BUTTON_STYLES = new Set(['primary', 'danger']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems as Slack words them: `[ERROR] <what> [json-pointer:<path>]`. */
class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): void {
    this.list.push(`[ERROR] ${what} [json-pointer:${path}]`);
  }
  maxLength(path: string, value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max)
      this.add(path, `must be less than ${max + 1} characters`);
  }
}

function checkText(p: Problems, path: string, value: unknown, max: number, plainOnly = false) {
  if (!isObject(value)) return p.add(path, 'must provide an object');
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
    return p.add(`${path}/type`, plainOnly ? 'must be plain_text' : 'must be plain_text or mrkdwn');
  if (typeof value.text !== 'string' || value.text.length === 0)
    return p.add(`${path}/text`, 'must be more than 0 characters');
  p.maxLength(`${path}/text`, value.text, max);
}

function checkButton(p: Problems, path: string, e: Json, actionIds: Set<string>) {
  checkText(p, `${path}/text`, e.text, L.buttonText, true);
  if (e.action_id !== undefined) {
    if (typeof e.action_id !== 'string' || e.action_id.length === 0)
      p.add(`${path}/action_id`, 'must be a string');
    else if (actionIds.has(e.action_id)) p.add(`${path}/action_id`, 'must be unique within the block');
    else actionIds.add(e.action_id);
    p.maxLength(`${path}/action_id`, e.action_id, L.actionId);
  }
  p.maxLength(`${path}/value`, e.value, L.buttonValue);
  p.maxLength(`${path}/url`, e.url, L.url);
  if (e.style !== undefined && !BUTTON_STYLES.has(String(e.style)))
    p.add(`${path}/style`, 'must be one of primary, danger');
}

function checkElement(p: Problems, path: string, e: unknown, actionIds: Set<string>) {
  if (!isObject(e)) return p.add(path, 'must provide an object');
  if (e.type === 'button') return checkButton(p, path, e, actionIds);
  if (e.type === 'image') {
    p.maxLength(`${path}/image_url`, e.image_url, L.url);
    if (typeof e.alt_text !== 'string') p.add(`${path}/alt_text`, 'must provide a string');
    p.maxLength(`${path}/alt_text`, e.alt_text, L.altText);
    return;
  }
  if (e.type === 'plain_text' || e.type === 'mrkdwn') return checkText(p, path, e, L.sectionText);
  if (typeof e.type !== 'string') p.add(`${path}/type`, 'must provide a string');
}

function checkList(p: Problems, path: string, value: unknown, max: number): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    p.add(path, 'must provide an array with at least 1 item');
    return [];
  }
  if (value.length > max) p.add(path, `must be less than ${max + 1} items`);
  return value;
}

function checkBlock(p: Problems, path: string, block: unknown, blockIds: Set<string>) {
  if (!isObject(block)) return p.add(path, 'must provide an object');
  if (typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type))
    return p.add(`${path}/type`, 'must be a valid enum value');
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string') p.add(`${path}/block_id`, 'must be a string');
    else if (blockIds.has(block.block_id)) p.add(`${path}/block_id`, 'must be unique within the message');
    else blockIds.add(block.block_id);
    p.maxLength(`${path}/block_id`, block.block_id, L.blockId);
  }
  const actionIds = new Set<string>();
  switch (block.type) {
    case 'header':
      return checkText(p, `${path}/text`, block.text, L.headerText, true);
    case 'section': {
      if (block.text === undefined && block.fields === undefined)
        return p.add(path, 'must provide text or fields');
      if (block.text !== undefined) checkText(p, `${path}/text`, block.text, L.sectionText);
      if (block.fields !== undefined)
        checkList(p, `${path}/fields`, block.fields, L.sectionFields).forEach((f, i) => {
          checkText(p, `${path}/fields/${i}`, f, L.fieldText);
        });
      if (block.accessory !== undefined) checkElement(p, `${path}/accessory`, block.accessory, actionIds);
      return;
    }
    case 'actions':
      checkList(p, `${path}/elements`, block.elements, L.actionsElements).forEach((e, i) => {
        checkElement(p, `${path}/elements/${i}`, e, actionIds);
      });
      return;
    case 'context':
      checkList(p, `${path}/elements`, block.elements, L.contextElements).forEach((e, i) => {
        checkElement(p, `${path}/elements/${i}`, e, actionIds);
      });
      return;
    case 'image':
      return checkElement(p, path, block, actionIds);
    case 'markdown':
      if (typeof block.text !== 'string') return p.add(`${path}/text`, 'must provide a string');
      return p.maxLength(`${path}/text`, block.text, L.markdownText);
    default:
      return;
  }
}

/** Checks blocks under `base` (`/blocks`, or `/attachments/0/blocks`); returns Slack's problem lines. */
function blockProblems(blocks: unknown, base: string): string[] {
  const p = new Problems();
  if (!Array.isArray(blocks)) {
    p.add(base, 'must provide an array');
    return p.list;
  }
  if (blocks.length > L.blocksPerMessage) p.add(base, `must be less than ${L.blocksPerMessage + 1} items`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(p, `${base}/${i}`, block, blockIds);
  });
  return p.list;
}

/** Validates what a bot sends (chat.postMessage, chat.update, a response_url); null when Slack would take it. */
export function validateMessage(message: {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}): MessageRefusal | null {
  if (typeof message.text === 'string' && message.text.length > L.messageText)
    return { error: 'msg_too_long', messages: [] };
  if (message.blocks !== undefined) {
    const problems = blockProblems(message.blocks, '/blocks');
    if (problems.length > 0) return { error: 'invalid_blocks', messages: problems };
  }
  if (message.attachments === undefined) return null;
  if (!Array.isArray(message.attachments)) return { error: 'invalid_attachments', messages: [] };
  if (message.attachments.length > L.attachmentsPerMessage)
    return { error: 'too_many_attachments', messages: [] };
  for (const [i, attachment] of message.attachments.entries()) {
    if (!isObject(attachment)) return { error: 'invalid_attachments', messages: [] };
    if (attachment.blocks !== undefined) {
      const problems = blockProblems(attachment.blocks, `/attachments/${i}/blocks`);
      if (problems.length > 0) return { error: 'invalid_blocks', messages: problems };
    }
  }
  return null;
}
