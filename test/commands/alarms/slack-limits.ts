import { expect } from 'vitest';
import type { AlarmMessage } from '../../../src/commands/alarms/alarm-view';
import { validateMessage } from '../../../src/commands/slack/validate-message';

/** Asserts a message (and the blocks of its colour attachment) pass the shared Slack limits validator. */
export function expectWithinSlackLimits(message: AlarmMessage): void {
  expect(() => validateMessage(message.blocks, message.text)).not.toThrow();
  for (const attachment of message.attachments ?? []) {
    expect(() => validateMessage(attachment.blocks, attachment.fallback)).not.toThrow();
  }
}
