import { describe, expect, it } from 'vitest';
import { investigateAlarm } from '../../../src/commands/alarms/investigate';
import { INVESTIGATE_TOTALS_QUERY } from '../../../src/commands/alarms/investigate-query';
import { INVESTIGATE_XRAY_BLOCK_PREFIX } from '../../../src/commands/alarms/investigate-view';
import { GumshoeError } from '../../../src/commands/errors';
import type { LogSearch } from '../../../src/commands/ports';
import { validateMessage } from '../../../src/commands/slack/validate-message';
import type { TraceSummaryReader, TraceSummaryRow } from '../../../src/commands/xray/trace-summaries';

const SAVE = 'conference-save-session-dynamodb-lambda';
const CORRELATION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const X1 = '1-6b05ca80-7f7e95bbfe293b8c3aa41927';
const X2 = '1-6b05ca7f-fd6825dc28bd30f0d015e120';
const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:01:00Z') };
const target = { alarmName: 'save-session-errors', functions: [SAVE], window };

/** Logs holding these error lines; the totals query gets its one row of exact counts over them. */
function logsWith(rows: Record<string, string>[]): LogSearch {
  const traces = new Set(rows.flatMap((r) => (r.traceId ? [r.traceId] : [])));
  const totals = {
    groups: String(traces.size),
    errorLines: String(rows.length),
    untracedLines: String(rows.filter((r) => !r.traceId).length),
    untracedGroups: '0',
  };
  return {
    run: async (request) => ({
      rows: request.queryString === INVESTIGATE_TOTALS_QUERY ? [totals] : rows,
      statistics: { recordsMatched: rows.length, recordsScanned: 10, bytesScanned: 1000 },
      durationMs: 200,
    }),
  };
}
const oneError = logsWith([
  {
    '@timestamp': '2026-05-01 10:00:03.000',
    functionName: SAVE,
    traceId: CORRELATION,
    xrayTraceId: X1,
    'exception.name': 'InjectedFaultError',
    'exception.message': 'save failed on purpose',
  },
]);

function readerOf(rows: TraceSummaryRow[]) {
  const filters: string[] = [];
  const reader: TraceSummaryReader = {
    traceSummaries: async (filter, w) => {
      filters.push(`${filter} @ ${w.start.toISOString()}..${w.end.toISOString()}`);
      return rows;
    },
  };
  return { reader, filters };
}

/** The xray_open buttons of a message: block_id and value. */
function xrayButtons(blocks: unknown[]): { blockId: string; value: string }[] {
  return blocks.flatMap((block) => {
    const b = block as { block_id?: string; accessory?: { action_id?: string; value?: string } };
    return b.accessory?.action_id === 'xray_open'
      ? [{ blockId: b.block_id ?? '', value: b.accessory.value ?? '' }]
      : [];
  });
}

describe('investigateAlarm with X-Ray trace summaries', () => {
  it('asks GetTraceSummaries for the functions’ failed traces in the alarm window and lists them with Open X-Ray trace buttons', async () => {
    const { reader, filters } = readerOf([
      { Id: X1, StartTime: new Date('2026-05-01T10:00:03Z'), Duration: 0.06, HasFault: true },
      { Id: X2, StartTime: new Date('2026-05-01T10:00:02Z'), Duration: 0.01, HasError: true },
    ]);

    const message = await investigateAlarm(target, oneError, reader);

    expect(filters).toEqual([
      `service("${SAVE}") { fault = true OR error = true } @ 2026-05-01T09:45:00.000Z..2026-05-01T10:01:00.000Z`,
    ]);
    expect(() => validateMessage(message.blocks, message.text)).not.toThrow();
    expect(message.text).toBe(
      '1 error line(s) around save-session-errors; 1 trace(s) affected. X-Ray: 2 failed trace(s).',
    );
    expect(xrayButtons(message.blocks)).toEqual([
      { blockId: `${INVESTIGATE_XRAY_BLOCK_PREFIX}0`, value: X1 },
      { blockId: `${INVESTIGATE_XRAY_BLOCK_PREFIX}1`, value: X2 },
    ]);
    const content = JSON.stringify(message.blocks);
    expect(content).toContain('X-Ray: *2* failed trace(s) in the window');
    // The X-Ray row of a trace our logs name carries that correlation id too.
    expect(content).toContain(`\`${X1}\` fault · 0.06 s · 10:00:03 · trace \`${CORRELATION}\``);
    expect(content).toContain(`\`${X2}\` error · 0.01 s · 10:00:02"`);
  });

  it('lists X-Ray’s failed traces even when no error was logged', async () => {
    const { reader } = readerOf([{ Id: X2, StartTime: new Date('2026-05-01T10:00:02Z'), HasFault: true }]);

    const message = await investigateAlarm(target, logsWith([]), reader);

    expect(message.text).toBe(
      'No errors or exceptions logged around save-session-errors. X-Ray: 1 failed trace(s).',
    );
    expect(xrayButtons(message.blocks).map((b) => b.value)).toEqual([X2]);
  });

  it('shows at most five X-Ray rows and counts the rest', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({
      Id: `1-6b05ca80-${String(i).padStart(24, '0')}`,
      StartTime: new Date(Date.UTC(2026, 4, 1, 10, 0, i)),
      HasFault: true,
    }));

    const message = await investigateAlarm(target, oneError, readerOf(rows).reader);

    expect(xrayButtons(message.blocks)).toHaveLength(5);
    expect(JSON.stringify(message.blocks)).toContain('… and 2 more X-Ray traces');
  });

  it('says so when X-Ray found no failed trace', async () => {
    const message = await investigateAlarm(target, oneError, readerOf([]).reader);

    expect(JSON.stringify(message.blocks)).toContain('X-Ray: no failed traces in the window.');
    expect(message.text).toBe('1 error line(s) around save-session-errors; 1 trace(s) affected.');
  });

  it('still answers with the log errors when X-Ray fails with an expected error, and says why', async () => {
    const reader: TraceSummaryReader = {
      traceSummaries: async () => {
        throw new GumshoeError('GetTraceSummaries failed', 'X-Ray did not answer; try again in a minute.');
      },
    };

    const message = await investigateAlarm(target, oneError, reader);

    expect(message.text).toBe('1 error line(s) around save-session-errors; 1 trace(s) affected.');
    expect(JSON.stringify(message.blocks)).toContain('X-Ray: X-Ray did not answer; try again in a minute.');
  });

  it('lets an unexpected X-Ray failure through, so the worker logs it', async () => {
    const reader: TraceSummaryReader = {
      traceSummaries: async () => {
        throw new TypeError('boom');
      },
    };

    await expect(investigateAlarm(target, oneError, reader)).rejects.toBeInstanceOf(TypeError);
  });

  it('answers from the logs alone when no X-Ray reader is wired', async () => {
    const message = await investigateAlarm(target, oneError);

    expect(JSON.stringify(message.blocks)).not.toContain('X-Ray:');
    expect(xrayButtons(message.blocks)).toEqual([]);
  });
});
