import type { LogSearch } from '../ports';
import type { ScanSummary } from '../slack/block-kit';
import type { Flow } from './flow-set';
import { learnFlows, type NamedLearnedFlow } from './learn-flows';
import type { LogFields } from './log-fields';

/** How much history /trace without a config compares a trace with. */
export const LEARN_FOR_TRACE_MS = 24 * 60 * 60_000;
/** How much of the day the sample that names a learned flow by its business id reads. */
export const SAMPLE_FOR_TRACE_MS = 60 * 60_000;
/** How long a worker environment reuses what it learned before learning again. */
export const LEARNED_FLOWS_TTL_MS = 10 * 60_000;
/**
 * A learned milestone fewer traces than this share log is optional for /trace. Lower than the
 * learner's "partial" flag: failed traces lower a milestone's share too, and a failure must still
 * show as a missing milestone; only a branch most traces skip is optional.
 */
export const OPTIONAL_BELOW = 0.5;
/** Distinct log group sets kept at once (the set changes only when groups appear or go). */
const MAX_ENTRIES = 8;

/** A flow learned for /trace, and how many complete traces it was learned from. */
export interface LearnedTraceFlow {
  readonly flow: Flow;
  readonly traces: number;
}

/** What /trace learned, or took from the cache. */
export interface LearnedFlows {
  readonly flows: readonly LearnedTraceFlow[];
  /** "24 h": the window the flows were learned over. */
  readonly windowLabel: string;
  /** What learning cost this answer: nothing when the cache answered. */
  readonly scan: ScanSummary;
  readonly cached: boolean;
}

/** Learns the flows of some log groups, read through one field set, over the day ending `now`. */
export interface FlowLearner {
  learn(
    logs: LogSearch,
    request: { readonly logGroupNames: readonly string[]; readonly fields: LogFields },
    now: Date,
    options?: {
      /** Learn again when what the cache holds is at least this old (default: its TTL). */
      readonly refreshAfterMs?: number;
    },
  ): Promise<LearnedFlows>;
}

/** A learned flow as the commands use a configured one. */
export function flowOfLearned(learned: NamedLearnedFlow): Flow {
  const first = learned.milestones[0]?.name ?? '';
  const last = learned.milestones.at(-1)?.name ?? first;
  return {
    name: learned.name,
    description: undefined,
    businessIds: learned.businessIds,
    fields: learned.fields,
    milestones: learned.milestones.map((m) => ({
      name: m.name,
      functionName: m.functionName,
      logGroup: undefined,
      after: m.after,
      optional: m.frequency < OPTIONAL_BELOW,
    })),
    leadTimes: [{ from: first, to: last }],
    logGroups: { names: [], prefixes: [] },
  };
}

const noScan: ScanSummary = { recordsScanned: 0, bytesScanned: 0, durationMs: 0 };

async function learnDay(
  logs: LogSearch,
  request: { readonly logGroupNames: readonly string[]; readonly fields: LogFields },
  now: Date,
): Promise<LearnedFlows> {
  const report = await learnFlows(
    logs,
    {
      logGroupNames: request.logGroupNames,
      window: { start: new Date(now.getTime() - LEARN_FOR_TRACE_MS), end: now, label: '24 h' },
      fieldSets: [request.fields],
      // The sample only names the flow by its business id (`order`): an hour of lines is plenty.
      sampleLastMs: SAMPLE_FOR_TRACE_MS,
    },
    undefined,
    now,
  );
  return {
    flows: report.flows.map((f) => ({ flow: flowOfLearned(f), traces: f.traces })),
    windowLabel: '24 h',
    scan: report.scan,
    cached: false,
  };
}

/** Learns on every call: for callers that keep nothing between requests. */
export const uncachedFlowLearner: FlowLearner = { learn: learnDay };

/**
 * Learning scans a day of every searched log group (a Logs Insights query billed by the byte and
 * taking seconds): a worker environment learns once per log group set and field set every `ttlMs`
 * of `now` (the caller's clock), and concurrent /trace jobs share one learning. A failed learning
 * is not kept; a caller may ask for a fresher one (a trace no cached flow knows).
 */
export function cachedFlowLearner(ttlMs: number = LEARNED_FLOWS_TTL_MS): FlowLearner {
  const cache = new Map<string, { at: number; learned: Promise<LearnedFlows> }>();
  return {
    learn(logs, request, now, options) {
      const fresh = Math.min(ttlMs, options?.refreshAfterMs ?? ttlMs);
      const key = JSON.stringify([[...request.logGroupNames].sort(), request.fields]);
      const hit = cache.get(key);
      const age = hit ? now.getTime() - hit.at : Number.NaN;
      if (hit && age >= 0 && age < fresh)
        return hit.learned.then((l) => ({ ...l, scan: noScan, cached: true }));
      const learned = learnDay(logs, request, now);
      learned.catch(() => {
        if (cache.get(key)?.learned === learned) cache.delete(key);
      });
      cache.delete(key);
      cache.set(key, { at: now.getTime(), learned });
      // Map keeps insertion order: the first key is the oldest.
      while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      return learned;
    },
  };
}
