/** One milestone sighting of one trace, as the learning query groups them. */
export interface MilestoneSighting {
  readonly traceId: string;
  readonly milestone: string;
  readonly functionName: string | undefined;
  readonly at: number;
  /** How many lines logged it in that trace (more than one: a retry). */
  readonly count: number;
}

/** One milestone of a learned flow. */
export interface LearnedMilestone {
  readonly name: string;
  /** The function that logged it most often. */
  readonly functionName: string | undefined;
  /** The milestones it always follows, the latest of them: empty for the root. */
  readonly after: readonly string[];
  /** Share of the flow's traces that logged it (1 = every one). */
  readonly frequency: number;
  /** Share of the traces that logged it more than once (retries). */
  readonly retried: number;
}

/** A flow as the logs show it. */
export interface LearnedFlow {
  readonly milestones: readonly LearnedMilestone[];
  /** How many complete traces it was learned from. */
  readonly traces: number;
}

/** A milestone logged by fewer than this share of traces is flagged (and optional in the config). */
export const PARTIAL_BELOW = 0.95;
/** P is a predecessor of M when it comes first in at least this share of the traces that log both. */
const PRECEDES = 0.9;

/** Union-find over milestone names: milestones logged in one trace belong to one flow. */
function components(traces: ReadonlyMap<string, readonly MilestoneSighting[]>): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  for (const sightings of traces.values()) {
    for (const s of sightings) if (!parent.has(s.milestone)) parent.set(s.milestone, s.milestone);
    const first = sightings[0]?.milestone;
    if (first) for (const s of sightings) parent.set(find(s.milestone), find(first));
  }
  const groups = new Map<string, string[]>();
  for (const name of parent.keys()) groups.set(find(name), [...(groups.get(find(name)) ?? []), name]);
  return [...groups.values()];
}

const mostCommon = (values: readonly (string | undefined)[]): string | undefined => {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
};

/** Learns one flow's graph from the traces that share its milestones. */
function learnFlow(names: readonly string[], traces: readonly (readonly MilestoneSighting[])[]): LearnedFlow {
  // Where each milestone sits: its median time after the trace's first milestone.
  const offsets = new Map<string, number[]>();
  for (const t of traces) {
    const start = Math.min(...t.map((s) => s.at));
    for (const s of t) offsets.set(s.milestone, [...(offsets.get(s.milestone) ?? []), s.at - start]);
  }
  const ordered = [...names].sort(
    (a, b) => median(offsets.get(a) ?? []) - median(offsets.get(b) ?? []) || a.localeCompare(b),
  );
  const milestones = ordered.map((name, i) => {
    const having = traces.filter((t) => t.some((s) => s.milestone === name));
    const mine = having.flatMap((t) => t.filter((s) => s.milestone === name));
    // The latest earlier milestone that precedes this one in (nearly) every trace logging both.
    const before = ordered.slice(0, i).filter((p) => {
      const both = having.filter((t) => t.some((s) => s.milestone === p));
      if (both.length === 0) return false;
      const first = both.filter((t) => {
        const pAt = Math.min(...t.filter((s) => s.milestone === p).map((s) => s.at));
        const mAt = Math.min(...t.filter((s) => s.milestone === name).map((s) => s.at));
        return pAt <= mAt;
      });
      return first.length / both.length >= PRECEDES;
    });
    const after = before.length > 0 ? [before[before.length - 1] as string] : [];
    return {
      name,
      functionName: mostCommon(mine.map((s) => s.functionName)),
      after: i === 0 ? [] : after,
      frequency: having.length / Math.max(1, traces.length),
      retried: mine.filter((s) => s.count > 1).length / Math.max(1, having.length),
    };
  });
  return { milestones, traces: traces.length };
}

/**
 * Learns every flow the sightings show: milestones logged in one trace belong to one flow; a flow's
 * milestones are ordered by their median time into the trace, each following the latest milestone
 * that comes before it in nearly every trace (so parallel branches both follow their fork).
 * Traces still in flight (first seen after `completeBefore`) are left out.
 */
export function learnFlowGraphs(
  sightings: readonly MilestoneSighting[],
  completeBefore: number,
): LearnedFlow[] {
  const byTrace = new Map<string, MilestoneSighting[]>();
  for (const s of sightings) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  for (const [id, t] of byTrace) {
    t.sort((a, b) => a.at - b.at);
    if ((t[0]?.at ?? 0) > completeBefore) byTrace.delete(id);
  }
  const flows = components(byTrace).map((names) => {
    const set = new Set(names);
    const mine = [...byTrace.values()].filter((t) => t.some((s) => set.has(s.milestone)));
    // Complete traces start at the flow's usual first milestone (others began before the window).
    const root = mostCommon(mine.map((t) => t[0]?.milestone));
    return learnFlow(
      names,
      mine.filter((t) => t[0]?.milestone === root),
    );
  });
  return flows.filter((f) => f.traces > 0).sort((a, b) => b.traces - a.traces);
}
