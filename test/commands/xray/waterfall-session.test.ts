import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/commands/errors';
import type { LogSearch, LogSearchRequest } from '../../../src/commands/ports';
import type { InsightsRow } from '../../../src/commands/xray/spans-fallback';
import { showTraceWaterfall, type XRayTraceReader } from '../../../src/commands/xray/waterfall-session';
import { fixture } from '../alarms/fixtures';
import { expectWithinSlackLimits } from '../alarms/slack-limits';

const TRACE = '1-69f47a80-a01ef2a0f003da37183f4fcc';
const NOW = new Date('2026-05-01T12:00:00Z');
const clock = { now: () => NOW };

/** A fake X-Ray that answers from a BatchGetTraces fixture and records the ids asked for. */
function fakeXRay(output: unknown): XRayTraceReader & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    batchGetTraces: async (ids) => {
      asked.push([...ids]);
      return output;
    },
  };
}

/** A fake LogSearch that answers the aws/spans query from the recorded results. */
function fakeLogs(rows: Record<string, string>[]): LogSearch & { requests: LogSearchRequest[] } {
  const requests: LogSearchRequest[] = [];
  return {
    requests,
    run: async (request) => {
      requests.push(request);
      return {
        rows,
        statistics: { recordsMatched: rows.length, recordsScanned: rows.length, bytesScanned: 1000 },
        durationMs: 5,
      };
    },
  };
}

const spanRows = (fixture('xray', 'aws-spans-query-results.json') as InsightsRow[]).map((r) =>
  Object.fromEntries(r.map((f) => [f.field, f.value])),
);

describe('showTraceWaterfall', () => {
  it('draws the trace from BatchGetTraces when X-Ray has it', async () => {
    const xray = fakeXRay(fixture('xray', 'seed-incident-trace.json'));
    const logs = fakeLogs([]);
    const answer = await showTraceWaterfall(
      TRACE.toUpperCase(),
      { xray, logs, clock },
      { region: 'eu-west-1' },
    );
    expect(answer.source).toBe('xray');
    expect(xray.asked).toEqual([[TRACE]]);
    expect(logs.requests).toEqual([]);
    expectWithinSlackLimits(answer.message);
    expect(answer.message.text).toContain('Bottleneck: Sessions.saveSessionDynamoDB');
  });

  it('falls back to aws/spans when BatchGetTraces finds nothing (Transaction Search)', async () => {
    const xray = fakeXRay({ Traces: [], UnprocessedTraceIds: [] });
    const logs = fakeLogs(spanRows);
    const answer = await showTraceWaterfall(TRACE, { xray, logs, clock }, { region: 'eu-west-1' });
    expect(answer.source).toBe('spans');
    expect(logs.requests).toEqual([
      {
        queryString:
          'fields @timestamp, @message\n| filter traceId = "69f47a80a01ef2a0f003da37183f4fcc"\n| sort @timestamp asc\n| limit 500',
        logGroupNames: ['aws/spans'],
        startTime: new Date('2026-04-30T12:00:00Z'),
        endTime: NOW,
      },
    ]);
    expect(answer.message.text).toContain('Bottleneck: Sessions.saveSessionDynamoDB');
  });

  it('says nothing was found when neither source has the trace', async () => {
    const answer = await showTraceWaterfall(
      TRACE,
      { xray: fakeXRay({}), logs: fakeLogs([]), clock },
      { region: 'eu-west-1' },
    );
    expect(answer.source).toBe('none');
    expect(answer.message.text).toContain('No segments found');
  });

  it('refuses something that is not an X-Ray id before calling anything', async () => {
    const xray = fakeXRay({});
    await expect(
      showTraceWaterfall('1-abc" OR 1=1', { xray, logs: fakeLogs([]), clock }, { region: 'eu-west-1' }),
    ).rejects.toThrow(InvalidInputError);
    expect(xray.asked).toEqual([]);
  });
});
