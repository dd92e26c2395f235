import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { logGroupOf } from '../../src/conference-app/contract/function-names';
import { MILESTONES, Milestone } from '../../src/conference-app/contract/milestones';
import { type Distribution, distribution } from './stats';

/** A run's lead time split at the save: before the stream (create → saved) and the notifier's part (saved → sent). */
export interface StageTimes {
  upstreamMs: Distribution;
  notifierMs: Distribution;
}

const STAGES = [Milestone.createRequestReceived, Milestone.savedInDatabase, Milestone.slackNotificationSent];

/**
 * Reads the milestone lines of a run (FilterLogEvents, from `startMs`) and splits each session's
 * lead time at SAVED_IN_DATABASE, so a slow figure says whether the notifier or the path before
 * the stream was slow.
 */
export async function readStageTimes(logs: CloudWatchLogsClient, startMs: number): Promise<StageTimes> {
  const times = new Map<string, Map<string, number>>();
  const groups = MILESTONES.filter((m) => (STAGES as readonly string[]).includes(m.name)).map((m) =>
    logGroupOf(m.functionName),
  );
  for (const logGroupName of groups) {
    const pages = paginateFilterLogEvents(
      { client: logs },
      { logGroupName, startTime: startMs, filterPattern: 'milestone' },
    );
    for await (const page of pages) {
      for (const event of page.events ?? []) {
        if (!event.message?.startsWith('{')) continue;
        const line = JSON.parse(event.message) as { traceId?: unknown; milestone?: unknown };
        if (typeof line.traceId !== 'string' || typeof line.milestone !== 'string') continue;
        const trace = times.get(line.traceId) ?? new Map<string, number>();
        const at = event.timestamp ?? 0;
        trace.set(line.milestone, Math.min(trace.get(line.milestone) ?? Number.POSITIVE_INFINITY, at));
        times.set(line.traceId, trace);
      }
    }
  }
  const upstream: number[] = [];
  const notifier: number[] = [];
  for (const trace of times.values()) {
    const [created, saved, sent] = STAGES.map((s) => trace.get(s));
    if (created !== undefined && saved !== undefined && sent !== undefined) {
      upstream.push(saved - created);
      notifier.push(sent - saved);
    }
  }
  return { upstreamMs: distribution(upstream), notifierMs: distribution(notifier) };
}
