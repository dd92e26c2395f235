import {
  BatchGetTracesCommand,
  paginateGetTraceSummaries,
  type Trace,
  type TraceSummary,
  type XRayClient,
} from '@aws-sdk/client-xray';
import { GumshoeError } from '../commands/errors';
import type { TimeWindow } from '../commands/time-window';
import type { TraceSummaryReader } from '../commands/xray/trace-summaries';
import type { XRayTraceReader } from '../commands/xray/waterfall-session';

/** BatchGetTraces accepts at most five trace ids per call. */
export const BATCH_GET_TRACES_MAX_IDS = 5;

/** An X-Ray call failed; `userMessage` is safe for Slack. */
export class XRayReadError extends GumshoeError {
  override readonly name = 'XRayReadError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'X-Ray did not answer; try again in a minute.', options);
  }
}

/** {@link XRayTraceReader} over @aws-sdk/client-xray, plus paginated trace summaries. */
export class XRayClientTraceReader implements XRayTraceReader, TraceSummaryReader {
  constructor(private readonly client: XRayClient) {}

  /** Every trace of `traceIds`, five per BatchGetTraces call, pages followed; output shaped like one call's. */
  async batchGetTraces(
    traceIds: readonly string[],
  ): Promise<{ Traces: Trace[]; UnprocessedTraceIds: string[] }> {
    const traces: Trace[] = [];
    const unprocessed: string[] = [];
    const ids = [...new Set(traceIds)];
    for (let i = 0; i < ids.length; i += BATCH_GET_TRACES_MAX_IDS) {
      const chunk = ids.slice(i, i + BATCH_GET_TRACES_MAX_IDS);
      let nextToken: string | undefined;
      do {
        try {
          const out = await this.client.send(
            new BatchGetTracesCommand({ TraceIds: chunk, ...(nextToken ? { NextToken: nextToken } : {}) }),
          );
          traces.push(...(out.Traces ?? []));
          unprocessed.push(...(out.UnprocessedTraceIds ?? []));
          nextToken = out.NextToken;
        } catch (error) {
          throw new XRayReadError(`BatchGetTraces failed for ${chunk.join(', ')}`, { cause: error });
        }
      } while (nextToken);
    }
    return { Traces: traces, UnprocessedTraceIds: unprocessed };
  }

  /** Trace summaries matching a filter expression in a window (≤ 6 h per call), following every page up to `maxSummaries`. */
  async traceSummaries(
    filterExpression: string,
    window: TimeWindow,
    maxSummaries = 1000,
  ): Promise<TraceSummary[]> {
    const summaries: TraceSummary[] = [];
    try {
      const pages = paginateGetTraceSummaries(
        { client: this.client },
        {
          StartTime: window.start,
          EndTime: window.end,
          FilterExpression: filterExpression,
          TimeRangeType: 'TraceId',
          Sampling: false,
        },
      );
      for await (const page of pages) {
        summaries.push(...(page.TraceSummaries ?? []));
        if (summaries.length >= maxSummaries) break;
      }
    } catch (error) {
      throw new XRayReadError('GetTraceSummaries failed', { cause: error });
    }
    return summaries.slice(0, maxSummaries);
  }
}
