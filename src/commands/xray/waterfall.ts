import type { TraceNode, TraceTree } from './trace-document';

/** One row of a trace waterfall, in start order with its depth in the tree. */
export interface WaterfallRow {
  readonly depth: number;
  readonly name: string;
  readonly startOffsetMs: number;
  readonly durationMs: number;
  /** Duration minus the union of the children's intervals. */
  readonly selfMs: number;
  readonly inProgress: boolean;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly namespace?: string;
  readonly operation?: string;
  readonly node: TraceNode;
}

/** Formats a duration for people: `8 ms`, `3.0 s`, `2.99 s`, `12.4 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) {
    // Two decimals, but one is enough when the second is a zero: 3.00 → 3.0, 2.99 stays.
    const text = seconds.toFixed(2);
    return `${text.endsWith('0') ? text.slice(0, -1) : text} s`;
  }
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** The end of a node; an in-progress node ends where its last child ends (or at its start). */
export function effectiveEndMs(node: TraceNode): number {
  if (node.endMs !== undefined) return node.endMs;
  return node.children.reduce((end, child) => Math.max(end, effectiveEndMs(child)), node.startMs);
}

/** Total length of the union of intervals, each clipped to [from, to]. */
export function unionLengthMs(
  intervals: readonly (readonly [number, number])[],
  from: number,
  to: number,
): number {
  const clipped = intervals
    .map(([s, e]) => [Math.max(s, from), Math.min(e, to)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = Number.NEGATIVE_INFINITY;
  let curEnd = Number.NEGATIVE_INFINITY;
  for (const [s, e] of clipped) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** A node's own time: children may run in parallel, so we subtract the union of their intervals, not the sum. */
export function selfTimeMs(node: TraceNode): number {
  const end = effectiveEndMs(node);
  const busy = unionLengthMs(
    node.children.map((c) => [c.startMs, effectiveEndMs(c)] as const),
    node.startMs,
    end,
  );
  return Math.max(0, end - node.startMs - busy);
}

/** The earliest start of any root: offsets are measured from here. */
export function traceStartMs(tree: TraceTree): number {
  return tree.roots.reduce((min, r) => Math.min(min, r.startMs), Number.POSITIVE_INFINITY);
}

/** The whole trace's span, from the first start to the last end of any node (async work may outlive its parent). */
export function traceDurationMs(tree: TraceTree): number {
  if (tree.roots.length === 0) return 0;
  let end = Number.NEGATIVE_INFINITY;
  const visit = (node: TraceNode): void => {
    end = Math.max(end, effectiveEndMs(node));
    for (const child of node.children) visit(child);
  };
  for (const root of tree.roots) visit(root);
  return end - traceStartMs(tree);
}

/** Flattens a trace into waterfall rows: depth-first, siblings in start order. */
export function flattenTrace(tree: TraceTree): WaterfallRow[] {
  const origin = traceStartMs(tree);
  const rows: WaterfallRow[] = [];
  const visit = (node: TraceNode, depth: number): void => {
    rows.push({
      depth,
      name: node.name,
      startOffsetMs: node.startMs - origin,
      durationMs: effectiveEndMs(node) - node.startMs,
      selfMs: selfTimeMs(node),
      inProgress: node.inProgress,
      error: node.error,
      fault: node.fault,
      throttle: node.throttle,
      ...(node.namespace ? { namespace: node.namespace } : {}),
      ...(node.operation ? { operation: node.operation } : {}),
      node,
    });
    for (const child of [...node.children].sort((a, b) => a.startMs - b.startMs)) visit(child, depth + 1);
  };
  for (const root of [...tree.roots].sort((a, b) => a.startMs - b.startMs)) visit(root, 0);
  return rows;
}

/** A node's label for sentences: `DynamoDB PutItem`, or the name when no operation is known. */
export function nodeLabel(node: TraceNode): string {
  return node.operation && !node.name.includes(node.operation) ? `${node.name} ${node.operation}` : node.name;
}

/** The node that spends the most time itself, with a sentence saying so. */
export interface Bottleneck {
  readonly node: TraceNode;
  readonly durationMs: number;
  readonly selfMs: number;
  readonly sentence: string;
}

/** Finds the node whose own time (duration minus the union of its children) is the largest. */
export function findBottleneck(tree: TraceTree): Bottleneck | undefined {
  let best: WaterfallRow | undefined;
  for (const row of flattenTrace(tree)) {
    // Ties go to the deeper node: it names the more specific place to look.
    if (!best || row.selfMs > best.selfMs || (row.selfMs === best.selfMs && row.depth > best.depth))
      best = row;
  }
  if (!best) return undefined;
  const { node, durationMs, selfMs } = best;
  const kids = [...node.children].sort(
    (a, b) => effectiveEndMs(b) - b.startMs - (effectiveEndMs(a) - a.startMs),
  );
  const shown = kids
    .slice(0, 3)
    .map((c) => `${nodeLabel(c)} ${formatDuration(effectiveEndMs(c) - c.startMs)}`);
  const more = kids.length > 3 ? ` and ${kids.length - 3} more` : '';
  const where = node.kind === 'segment' ? 'the service itself' : 'the function itself';
  const sentence =
    kids.length === 0
      ? `${nodeLabel(node)}: ${formatDuration(durationMs)}, all of it spent in ${where}`
      : `${nodeLabel(node)}: ${formatDuration(durationMs)}, of which ${shown.join(', ')}${more} — ${formatDuration(selfMs)} spent in ${where}`;
  return { node, durationMs, selfMs, sentence };
}
