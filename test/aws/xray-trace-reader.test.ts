import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { XRayClientTraceReader, XRayReadError } from '../../src/aws/xray-trace-reader';

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
