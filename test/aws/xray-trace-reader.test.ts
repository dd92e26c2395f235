import {
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  PutTraceSegmentsCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XRayClientTraceReader, XRayReadError } from '../../src/aws/xray-trace-reader';
import { buildTraceSummaryFilter, findFailedTraces } from '../../src/commands/xray/trace-summaries';
import { type LocalAws, startLocalAws } from '../../src/local/aws';
import { TraceStore } from '../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../src/local/aws/xray/xray-service';

const xray = mockClient(XRayClient);
const id = (n: number) => `1-5759e988-${String(n).padStart(24, '0')}`;

describe('XRayClientTraceReader', () => {
  beforeEach(() => xray.reset());

  it('asks for at most five ids per BatchGetTraces call and merges the traces', async () => {
    xray.on(BatchGetTracesCommand).callsFake((input: { TraceIds: string[] }) => ({
      Traces: input.TraceIds.map((Id) => ({ Id, Segments: [] })),
      UnprocessedTraceIds: [],
    }));
    const ids = Array.from({ length: 12 }, (_, i) => id(i));

    const out = await new XRayClientTraceReader(new XRayClient({ region: 'eu-west-1' })).batchGetTraces(ids);

    const calls = xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds ?? []);
    expect(calls.map((c) => c.length)).toEqual([5, 5, 2]);
    expect(out.Traces.map((t) => t.Id)).toEqual(ids);
  });

  it('follows NextToken of BatchGetTraces', async () => {
    xray
      .on(BatchGetTracesCommand, { TraceIds: [id(1)] })
      .resolvesOnce({ Traces: [{ Id: id(1), Segments: [{ Id: 'a', Document: '{}' }] }], NextToken: 't' })
      .resolvesOnce({ Traces: [{ Id: id(1), Segments: [{ Id: 'b', Document: '{}' }] }] });

    const out = await new XRayClientTraceReader(new XRayClient({ region: 'eu-west-1' })).batchGetTraces([
      id(1),
    ]);

    expect(out.Traces.flatMap((t) => t.Segments?.map((s) => s.Id))).toEqual(['a', 'b']);
  });

  it('pages through GetTraceSummaries', async () => {
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({ TraceSummaries: [{ Id: id(1) }], NextToken: 'p2' })
      .resolvesOnce({ TraceSummaries: [{ Id: id(2) }] });
    const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:01:00Z') };

    const out = await new XRayClientTraceReader(new XRayClient({ region: 'eu-west-1' })).traceSummaries(
      'service("fn") { fault = true }',
      window,
    );

    expect(out.map((s) => s.Id)).toEqual([id(1), id(2)]);
    expect(xray).toHaveReceivedCommandWith(GetTraceSummariesCommand, {
      FilterExpression: 'service("fn") { fault = true }',
      StartTime: window.start,
    });
  });

  it('wraps a throttled call in XRayReadError', async () => {
    xray
      .on(BatchGetTracesCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottledException' }));

    await expect(
      new XRayClientTraceReader(new XRayClient({ region: 'eu-west-1' })).batchGetTraces([id(1)]),
    ).rejects.toBeInstanceOf(XRayReadError);
  });
});

describe('XRayClientTraceReader against the local X-Ray endpoint', () => {
  const SAVE = 'conference-save-session-dynamodb-lambda';
  const CREATE = 'conference-create-session-lambda';
  const nowSeconds = Math.floor(Date.now() / 1000);
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const traceId = (n: number) => `1-${hex(nowSeconds - 60, 8)}-${hex(n, 24)}`;
  /** A function segment as Lambda writes it: named after the function, fault or error when it failed. */
  const segment = (n: number, name: string, flags: { fault?: boolean; error?: boolean } = {}) =>
    JSON.stringify({
      name,
      id: hex(n, 16),
      trace_id: traceId(n),
      start_time: nowSeconds - 60 + n / 1000,
      end_time: nowSeconds - 60 + n / 1000 + 0.25,
      ...flags,
    });
  const window = { start: new Date((nowSeconds - 600) * 1000), end: new Date((nowSeconds + 60) * 1000) };
  let aws: LocalAws;
  let client: XRayClient;
  let reader: XRayClientTraceReader;

  beforeAll(async () => {
    // The mock above replaces send on every XRayClient; these tests need the real one.
    xray.restore();
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createXRayService(new TraceStore()));
    client = new XRayClient({
      endpoint: aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    reader = new XRayClientTraceReader(client);
    // 130 failed saves (more than one GetTraceSummaries page of 100), 3 healthy saves, 2 failed creates.
    const documents = [
      ...Array.from({ length: 130 }, (_, i) =>
        segment(i + 1, SAVE, i % 2 === 0 ? { fault: true } : { error: true }),
      ),
      ...[201, 202, 203].map((n) => segment(n, SAVE)),
      ...[301, 302].map((n) => segment(n, CREATE, { fault: true })),
    ];
    for (let i = 0; i < documents.length; i += 50) {
      await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: documents.slice(i, i + 50) }));
    }
  });

  afterAll(async () => {
    client?.destroy();
    await aws?.close();
  });

  it('follows every GetTraceSummaries page for a service filter and keeps only that service’s failed traces', async () => {
    const summaries = await reader.traceSummaries(buildTraceSummaryFilter({ services: [SAVE] }), window);

    expect(summaries).toHaveLength(130);
    expect(new Set(summaries.map((s) => s.Id))).toEqual(
      new Set(Array.from({ length: 130 }, (_, i) => traceId(i + 1))),
    );
    expect(summaries.every((s) => s.HasFault || s.HasError)).toBe(true);
  });

  it('stops paging at maxSummaries', async () => {
    const summaries = await reader.traceSummaries(buildTraceSummaryFilter({ services: [SAVE] }), window, 10);

    expect(summaries).toHaveLength(10);
  });

  it('finds the failed traces of an alarm window, newest first, capped and flagged as truncated', async () => {
    const found = await findFailedTraces(reader, { services: [SAVE, CREATE], window, max: 20 });

    expect(found.truncated).toBe(true);
    expect(found.traces).toHaveLength(20);
    const starts = found.traces.map((t) => t.startTime?.getTime() ?? 0);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(found.traces.slice(0, 2).map((t) => [t.id, t.fault])).toEqual([
      [traceId(302), true],
      [traceId(301), true],
    ]);
  });

  it('finds nothing outside the window', async () => {
    const found = await findFailedTraces(reader, {
      services: [SAVE],
      window: { start: new Date((nowSeconds - 7200) * 1000), end: new Date((nowSeconds - 3600) * 1000) },
    });

    expect(found).toEqual({ traces: [], truncated: false });
  });
});
