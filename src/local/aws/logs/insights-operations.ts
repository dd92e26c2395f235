import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { LogStore } from '../../logs/log-store';
import { MalformedQueryError } from '../../logs-insights';
import type { CompiledInsightsQuery, InsightsResult } from '../../logs-insights/api';
import { AwsServiceError } from '../errors';
import type { JsonOperation } from '../registry';
import { parseInput } from '../validate';
import { groupFromIdentifier, INVALID, notFound } from './logs-errors';
import { logGroupName, MAX_QUERY_LOG_GROUPS, queryConcurrencyError } from './logs-limits';

const name = z.string().min(1).max(512);
const StartQuery = z.looseObject({
  logGroupName: logGroupName.optional(),
  logGroupNames: z.array(logGroupName).min(1).max(MAX_QUERY_LOG_GROUPS).optional(),
  logGroupIdentifiers: z
    .array(name.regex(/^[\w#+=/:,.@-]+$/, 'Member must not contain wildcards'))
    .min(1)
    .max(MAX_QUERY_LOG_GROUPS)
    .optional(),
  startTime: z.number().int().min(0),
  endTime: z.number().int().min(0),
  queryString: z.string().min(1).max(10_000),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const QueryId = z.looseObject({ queryId: z.string().min(1) });

/** What the state machine keeps per query between polls. */
interface QueryRecord {
  readonly queryId: string;
  readonly groups: readonly string[];
  /** Set on a microtask after StartQuery: the run is synchronous, the API is not. */
  outcome: { readonly result: InsightsResult } | { readonly error: unknown } | undefined;
  /** The status last shown to a client; StopQuery is only valid before it shows a final one. */
  state: 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled';
  readonly startedAt: number;
}

/** What the Logs Insights operations share with the rest of the service. */
export interface InsightsOperationsDeps {
  readonly store: LogStore;
  readonly compile: (queryString: string) => CompiledInsightsQuery;
  readonly now: () => number;
  readonly maxConcurrentQueries: number;
  readonly requireGroup: (group: string) => void;
}

/** StartQuery, GetQueryResults and StopQuery: a query's life as the real service shows it to a poller. */
export function insightsOperations(deps: InsightsOperationsDeps): Record<string, JsonOperation> {
  const { store, compile, now, maxConcurrentQueries, requireGroup } = deps;
  const queries = new Map<string, QueryRecord>();
  return {
    StartQuery(raw) {
      const input = parseInput(StartQuery, raw, INVALID);
      const given = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter(
        (v) => v !== undefined,
      );
      if (given.length !== 1) {
        throw new AwsServiceError(
          INVALID,
          'Exactly one of logGroupName, logGroupNames or logGroupIdentifiers is required',
        );
      }
      if (input.endTime < input.startTime)
        throw new AwsServiceError(INVALID, 'endTime must not be before startTime');
      const groups = input.logGroupName
        ? [input.logGroupName]
        : (input.logGroupNames ?? (input.logGroupIdentifiers ?? []).map(groupFromIdentifier));
      for (const group of groups) requireGroup(group);
      let compiled: CompiledInsightsQuery;
      try {
        compiled = compile(input.queryString);
      } catch (error) {
        if (error instanceof MalformedQueryError) throw malformedQuery(input.queryString, error);
        throw error;
      }
      // A query counts against the quota until its client has seen it finish (or it times out, 60 min).
      let running = 0;
      for (const q of queries.values()) {
        if ((q.state === 'Scheduled' || q.state === 'Running') && now() - q.startedAt < 3_600_000) running++;
      }
      if (running >= maxConcurrentQueries) throw queryConcurrencyError(maxConcurrentQueries);
      const record: QueryRecord = {
        queryId: randomUUID(),
        groups,
        outcome: undefined,
        state: 'Scheduled',
        startedAt: now(),
      };
      queries.set(record.queryId, record);
      const runOptions = {
        startTimeMs: input.startTime * 1000,
        endTimeMs: input.endTime * 1000 + 999,
        ...(input.limit !== undefined ? { limit: input.limit } : {}),
      };
      // Run off the request path, like the real service schedules a query.
      setImmediate(() => {
        if (record.state === 'Cancelled') return;
        try {
          const events = store.scan(groups, runOptions.startTimeMs, runOptions.endTimeMs);
          record.outcome = { result: compiled.run(events, runOptions) };
        } catch (error) {
          process.stderr.write(
            `local-aws: query ${record.queryId} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
          );
          record.outcome = { error };
        }
      });
      return { queryId: record.queryId };
    },
    GetQueryResults(raw) {
      const input = parseInput(QueryId, raw, INVALID);
      const record = queries.get(input.queryId);
      if (!record) throw notFound(`Query ${input.queryId} does not exist`);
      const empty = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      // The first poll always sees Running, so clients exercise their polling loop locally too.
      if (record.state === 'Scheduled') record.state = 'Running';
      else if (record.state === 'Running' && record.outcome) {
        record.state = 'result' in record.outcome ? 'Complete' : 'Failed';
      }
      if (record.state === 'Complete' && record.outcome && 'result' in record.outcome) {
        return {
          status: 'Complete',
          results: record.outcome.result.results,
          statistics: record.outcome.result.statistics,
        };
      }
      return { status: record.state, results: [], statistics: empty };
    },
    StopQuery(raw) {
      const input = parseInput(QueryId, raw, INVALID);
      const record = queries.get(input.queryId);
      if (!record) throw notFound(`Query ${input.queryId} does not exist`);
      if (record.state !== 'Scheduled' && record.state !== 'Running') {
        throw new AwsServiceError(INVALID, `Query ${input.queryId} is not running (status ${record.state})`);
      }
      record.state = 'Cancelled';
      record.outcome = undefined;
      return { success: true };
    },
  };
}

/** Char offsets of the engine's 1-based line/column, for `queryCompileError.location`. */
function malformedQuery(query: string, error: MalformedQueryError): AwsServiceError {
  const lines = query.split('\n');
  let offset = 0;
  for (let i = 0; i < error.line - 1 && i < lines.length; i++) offset += (lines[i] as string).length + 1;
  offset = Math.min(offset + Math.max(0, error.column - 1), query.length);
  return new AwsServiceError('MalformedQueryException', error.message, {
    cause: error,
    fields: {
      queryCompileError: {
        location: { startCharOffset: offset, endCharOffset: offset },
        message: error.message,
      },
    },
  });
}
