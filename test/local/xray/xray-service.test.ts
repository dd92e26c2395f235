import {
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  PutTraceSegmentsCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { TraceStore } from '../../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../../src/local/aws/xray/xray-service';
import { clientConfig, rejectionOf, tempDataDir } from '../aws/helpers';

const now = Math.floor(Date.now() / 1000);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const traceId = (n: number) => `1-${hex(now, 8)}-${hex(n, 24)}`;

function segment(n: number, name: string, extra: Record<string, unknown> = {}, start = now) {
  return JSON.stringify({
    name,
    id: hex(n * 16 + 1, 16),
    trace_id: traceId(n),
    start_time: start,
    end_time: start + 0.5,
    ...extra,
  });
}

describe('local X-Ray service', () => {
  const data = tempDataDir();
  let aws: LocalAws;
  let xray: XRayClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createXRayService(new TraceStore(data.dir)));
    xray = new XRayClient(clientConfig(aws.url));
    await xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [
          segment(1, 'conference-save-session-dynamodb-lambda', { fault: true }),
          JSON.stringify({
            name: 'DynamoDB',
            id: hex(99, 16),
            trace_id: traceId(1),
            parent_id: hex(17, 16),
            type: 'subsegment',
            namespace: 'aws',
            start_time: now + 0.1,
            end_time: now + 3.1,
          }),
          segment(2, 'conference-create-session-lambda', { error: true }),
          segment(3, 'conference-save-session-dynamodb-lambda'),
        ],
      }),
    );
  });

  afterAll(async () => {
    xray.destroy();
    await aws.close();
    data.remove();
  });

  it('returns stored documents by trace id and lists unknown ids as unprocessed', async () => {
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId(1), traceId(42)] }));
    expect(out.UnprocessedTraceIds).toEqual([traceId(42)]);
    const trace = out.Traces?.[0];
    expect(trace?.Id).toBe(traceId(1));
    const names = trace?.Segments?.map((s) => (JSON.parse(s.Document ?? '{}') as { name: string }).name);
    expect(names?.sort()).toEqual(['DynamoDB', 'conference-save-session-dynamodb-lambda']);
    expect(trace?.Duration).toBeCloseTo(3.1, 5);
  });

  it('rejects more than five ids as X-Ray does', async () => {
    const error = await rejectionOf(
      xray.send(new BatchGetTracesCommand({ TraceIds: [1, 2, 3, 4, 5, 6].map(traceId) })),
    );
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toBe('Exceeding maximum query size: 5');
  });

  it('reports a malformed document as unprocessed and keeps the good ones', async () => {
    const out = await xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: ['{"id":"abc","name":"x"}', segment(7, 'ok', {}, now - 7200)],
      }),
    );
    expect(out.UnprocessedTraceSegments).toHaveLength(1);
    expect(out.UnprocessedTraceSegments?.[0]?.Id).toBe('abc');
    const got = await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId(7)] }));
    expect(got.Traces).toHaveLength(1);
  });

  const summaries = async (FilterExpression?: string) => {
    const out = await xray.send(
      new GetTraceSummariesCommand({
        StartTime: new Date((now - 60) * 1000),
        EndTime: new Date((now + 60) * 1000),
        ...(FilterExpression ? { FilterExpression } : {}),
      }),
    );
    return (out.TraceSummaries ?? []).map((s) => s.Id).sort();
  };

  it('summarises the traces in the time window', async () => {
    expect(await summaries()).toEqual([traceId(1), traceId(2), traceId(3)]);
  });

  it.each([
    ['service("conference-save-session-dynamodb-lambda")', [1, 3]],
    ['fault = true', [1]],
    ['error = true OR fault = true', [1, 2]],
    ['service("conference-save-session-dynamodb-lambda") AND duration >= 3', [1]],
    ['service("conference-save-session-dynamodb-lambda") { fault = true OR responsetime > 2 }', [1]],
    ['responsetime > 2', []],
    ['(error = true)', [2]],
  ])('filters with %s', async (expression, ids) => {
    expect(await summaries(expression)).toEqual(ids.map(traceId));
  });

  it.each(['annotation.storeInDatabase = "DynamoDB"', 'fault = yes', 'service("x") {', 'edge("a", "b")'])(
    'rejects the unsupported expression %s instead of ignoring it',
    async (expression) => {
      const error = await rejectionOf(summaries(expression));
      expect(error.name).toBe('InvalidRequestException');
    },
  );

  it("counts a subsegment's fault or error toward the service of the segment that owns it", async () => {
    const later = now + 7200;
    await xray.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [
          // The function reports a partial batch failure: the fault is on its subsegment only.
          segment(500, 'conference-save-session-dynamodb-lambda', {}, later),
          JSON.stringify({
            name: 'Sessions.saveSessionDynamoDB',
            id: hex(5000, 16),
            trace_id: traceId(500),
            parent_id: hex(500 * 16 + 1, 16),
            type: 'subsegment',
            start_time: later + 0.1,
            end_time: later + 0.2,
            fault: true,
          }),
          segment(
            501,
            'conference-notify-new-session',
            {
              subsegments: [
                {
                  name: 'outer',
                  id: hex(5010, 16),
                  start_time: later,
                  end_time: later + 0.3,
                  subsegments: [
                    {
                      name: 'webhook',
                      id: hex(5011, 16),
                      start_time: later,
                      end_time: later + 0.2,
                      error: true,
                    },
                  ],
                },
              ],
            },
            later,
          ),
          segment(502, 'conference-save-session-dynamodb-lambda', {}, later),
        ],
      }),
    );
    const find = async (FilterExpression: string) => {
      const out = await xray.send(
        new GetTraceSummariesCommand({
          StartTime: new Date((later - 60) * 1000),
          EndTime: new Date((later + 60) * 1000),
          FilterExpression,
        }),
      );
      return (out.TraceSummaries ?? []).map((t) => t.Id).sort();
    };
    expect(await find('service("conference-save-session-dynamodb-lambda") { fault = true }')).toEqual([
      traceId(500),
    ]);
    expect(await find('service("conference-notify-new-session") { error = true }')).toEqual([traceId(501)]);
    expect(await find('fault = true OR error = true')).toEqual([traceId(500), traceId(501)]);
  });

  it('pages with NextToken', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => 1000 + i);
    const docs = ids.map((n) => segment(n, 'paged', {}, now + 3600));
    for (let i = 0; i < docs.length; i += 50)
      await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: docs.slice(i, i + 50) }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await xray.send(
        new GetTraceSummariesCommand({
          StartTime: new Date((now + 3500) * 1000),
          EndTime: new Date((now + 3700) * 1000),
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      seen.push(...(out.TraceSummaries ?? []).map((s) => s.Id ?? ''));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(120);
  });

  it('persists segments as NDJSON and loads them on restart', async () => {
    const reopened = new TraceStore(data.dir);
    expect(
      reopened
        .documents(traceId(1))
        ?.map((d) => d.id)
        .sort(),
    ).toEqual([hex(17, 16), hex(99, 16)]);
  });
});
