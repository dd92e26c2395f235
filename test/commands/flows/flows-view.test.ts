import { describe, expect, it } from 'vitest';
import { flowsMessage } from '../../../src/commands/flows/flows-view';
import { LEARN_IN_FLIGHT_MS } from '../../../src/commands/flows/learn-flows';
import { validateMessage } from '../../../src/commands/slack/validate-message';

describe('flowsMessage', () => {
  it('says why nothing was learned, the in-flight rule included, so a request sent a minute ago is not a mystery', () => {
    const end = new Date('2026-12-05T12:00:00Z');
    const message = flowsMessage({
      window: { start: new Date(end.getTime() - 86_400_000), end, label: '24h' },
      flows: [],
      capped: false,
      configured: [],
      scan: { recordsScanned: 32, bytesScanned: 5600, durationMs: 400 },
    });

    expect(() => validateMessage(message.blocks, message.text)).not.toThrow();
    const content = JSON.stringify(message.blocks);
    expect(LEARN_IN_FLIGHT_MS).toBe(5 * 60_000);
    expect(content).toContain('No complete trace with milestones in this window.');
    expect(content).toContain(
      'Traces that began in the last 5 minutes are left out, as they may still be in flight.',
    );
  });
});
