import { InvalidInputError } from '../errors';
import type { Clock, LogSearch } from '../ports';
import { XRayTraceId } from '../query/quote';
import type { SlackMessage } from '../slack/block-kit';
import { buildSpansQuery, SPANS_LOG_GROUP, spansToTraceTree } from './spans-fallback';
import { BatchGetTracesOutputSchema, parseTrace, type TraceTree } from './trace-document';
import { buildWaterfallMessage } from './waterfall-view';

/**
 * Reads whole traces from X-Ray: BatchGetTraces output as the SDK returns it (at most 5 ids per
 * call). A candidate for src/commands/ports.ts; kept here until it moves.
 */
export interface XRayTraceReader {
  batchGetTraces(traceIds: readonly string[]): Promise<unknown>;
}

/** The ports the waterfall needs. */
export interface WaterfallPorts {
  readonly xray: XRayTraceReader;
  /** For the `aws/spans` fallback when Transaction Search holds the spans. */
  readonly logs: LogSearch;
  readonly clock: Clock;
}

/** Where the trace came from and what to post. */
export interface WaterfallAnswer {
  readonly source: 'xray' | 'spans' | 'none';
  readonly tree: TraceTree;
  readonly message: SlackMessage;
}

/** Options of {@link showTraceWaterfall}. */
export interface WaterfallSessionOptions {
  readonly region: string;
  /** How far back the `aws/spans` fallback looks (default 24 h). */
  readonly spansLookbackMs?: number;
  readonly maxRows?: number;
}

/**
 * The X-Ray use case behind `xray_open`: BatchGetTraces first; when it finds no segments (not yet
 * indexed, or the account uses Transaction Search) the spans in `aws/spans`; the same waterfall either way.
 */
export async function showTraceWaterfall(
  traceId: string,
  ports: WaterfallPorts,
  options: WaterfallSessionOptions,
): Promise<WaterfallAnswer> {
  const id = XRayTraceId.safeParse(traceId.trim());
  if (!id.success) {
    throw new InvalidInputError(
      `not an X-Ray trace id: ${JSON.stringify(traceId.slice(0, 60))}`,
      'That is not an X-Ray trace id (expected 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx).',
    );
  }
  const view = {
    region: options.region,
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
  };
  const output = BatchGetTracesOutputSchema.safeParse(await ports.xray.batchGetTraces([id.data]));
  const found = output.success ? output.data.Traces.find((t) => t.Id.toLowerCase() === id.data) : undefined;
  if (found && found.Segments.length > 0) {
    const tree = parseTrace(found);
    return { source: 'xray', tree, message: buildWaterfallMessage(tree, view) };
  }
  const now = ports.clock.now();
  const result = await ports.logs.run({
    queryString: buildSpansQuery(id.data),
    logGroupNames: [SPANS_LOG_GROUP],
    startTime: new Date(now.getTime() - (options.spansLookbackMs ?? 24 * 60 * 60 * 1000)),
    endTime: now,
  });
  const tree = spansToTraceTree(result.rows, id.data);
  return {
    source: tree.roots.length > 0 ? 'spans' : 'none',
    tree,
    message: buildWaterfallMessage(tree, view),
  };
}
