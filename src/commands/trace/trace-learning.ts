import type { Flow } from '../flows/flow-set';
import { LEARN_IN_FLIGHT_MS } from '../flows/learn-flows';
import type { LearnedFlows } from '../flows/learned-flows';
import { pickFlow } from './trace-lookup';
import type { TraceLearningNote } from './trace-report';

/** A cached learning that knows no flow of the trace is redone once it is this old (a new flow's first traces). */
export const RELEARN_ON_MISS_MS = 60_000;

/** What /trace without a config learned of the trace's flow: a flow, none yet, or a failure. */
export type TraceLearning =
  | { readonly outcome: 'flow'; readonly flow: Flow; readonly traces: number; readonly windowLabel: string }
  | { readonly outcome: 'none'; readonly windowLabel: string; readonly inFlightMs: number }
  | { readonly outcome: 'failed'; readonly reason: string };

/**
 * The learned flow that shares most milestones with the trace. When a cached learning knows none,
 * the learning is redone through `relearn` (which the cache answers again while it is fresh).
 */
export async function learnedFlowOfTrace(
  learned: LearnedFlows | { readonly failed: string },
  seen: ReadonlySet<string>,
  relearn: () => Promise<LearnedFlows>,
): Promise<{ learning: TraceLearning; scans: LearnedFlows['scan'][] }> {
  if ('failed' in learned) return { learning: { outcome: 'failed', reason: learned.failed }, scans: [] };
  const match = (l: LearnedFlows) => {
    const own = l.flows.filter((f) => f.flow.milestones.some((m) => seen.has(m.name)));
    const flow = pickFlow(
      own.map((f) => f.flow),
      seen,
    );
    return own.find((f) => f.flow === flow);
  };
  let current = learned;
  const scans = [learned.scan];
  let found = match(current);
  if (!found && current.cached && seen.size > 0) {
    try {
      current = await relearn();
      scans.push(current.scan);
      found = match(current);
    } catch {
      // The cached answer stands: no flow learned yet.
    }
  }
  return {
    learning: found
      ? { outcome: 'flow', flow: found.flow, traces: found.traces, windowLabel: current.windowLabel }
      : { outcome: 'none', windowLabel: current.windowLabel, inFlightMs: LEARN_IN_FLIGHT_MS },
    scans,
  };
}

/** The note for the report. */
export function learningNote(learning: TraceLearning): TraceLearningNote {
  return learning.outcome === 'flow'
    ? { outcome: 'flow', traces: learning.traces, windowLabel: learning.windowLabel }
    : learning;
}
