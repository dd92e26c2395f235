import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../src/commands/command-text';
import { investigationConfig } from '../../src/commands/config';
import { GumshoeError } from '../../src/commands/errors';
import { helpMessage } from '../../src/commands/help/help-view';
import { InvestigationJob, jobFromCommand, runInvestigation } from '../../src/commands/jobs';
import { FakeLogSearch, fixedClock } from '../fixtures/commands/fake-log-search';

const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const ports = () => ({ logs: new FakeLogSearch([]), clock: fixedClock('2026-11-24T12:00:00Z') });

describe('jobs', () => {
  it('turn each command into a JSON-serialisable job that parses back', () => {
    for (const [command, text] of [
      ['/trace', SESSION],
      ['/leadtime', '24h'],
      ['/cost', '30d'],
    ] as const) {
      const job = jobFromCommand(parseCommandText(command, text));
      expect(InvestigationJob.parse(JSON.parse(JSON.stringify(job)))).toEqual(job);
    }
    expect(() => jobFromCommand({ kind: 'help' })).toThrow(GumshoeError);
  });

  it('refuse a job with a window over 30 days', () => {
    expect(
      InvestigationJob.safeParse({ kind: 'leadtime', window: { label: '99d', durationMs: 99 * 86_400_000 } })
        .success,
    ).toBe(false);
  });

  it.each<InvestigationJob>([
    { kind: 'trace', id: SESSION },
    { kind: 'leadtime', window: { label: '1h', durationMs: 3_600_000 } },
    { kind: 'cost', period: { label: '7d', durationMs: 604_800_000 } },
    {
      kind: 'trace_logs',
      traceId: SESSION,
      functionName: 'conference-create-session-lambda',
      fromMs: 0,
      toMs: 1000,
    },
  ])('run a $kind job to a validated Slack message with scan figures', async (job) => {
    const p = ports();
    const message = await runInvestigation(job, p, investigationConfig());
    expect(message.text.length).toBeGreaterThan(0);
    expect(JSON.stringify(message.blocks)).toMatch(/Scanned [\d,]+ records/);
    expect(p.logs.requests.length).toBeGreaterThan(0);
  });
});

describe('helpMessage', () => {
  it('lists every command with its syntax', () => {
    const message = helpMessage();
    const json = JSON.stringify(message.blocks);
    for (const syntax of [
      '/trace &lt;sessionId|traceId|xrayTraceId&gt;',
      '/leadtime [window]',
      '/cost [week|30d|window]',
      '/gumshoe help',
      '--share',
    ]) {
      expect(json).toContain(syntax);
      expect(message.text).toContain(syntax);
    }
  });

  it('escapes the angle brackets of the syntax, which Slack would read as a link', () => {
    const json = JSON.stringify(helpMessage());

    expect(json).not.toMatch(/<sessionId\|/);
  });
});
