import { z } from 'zod';
import { compileFilterPattern, FilterPatternError } from '../../logs/filter-pattern';
import type { StoredLogEvent } from '../../logs/log-event';
import { type LogStore, LogStoreError } from '../../logs/log-store';
import { compileInsightsQuery } from '../../logs-insights';
import type { CompiledInsightsQuery } from '../../logs-insights/api';
import { AwsServiceError } from '../errors';
import type { JsonOperation, JsonServiceDefinition, RequestContext } from '../registry';
import { parseInput } from '../validate';
import { insightsOperations } from './insights-operations';
import { groupFromIdentifier, INVALID, notFound } from './logs-errors';
import { DEFAULT_MAX_CONCURRENT_QUERIES, logGroupName, screenLogEvents } from './logs-limits';

const name = z.string().min(1).max(512);
const paging = { nextToken: z.string().optional(), limit: z.number().int().min(1).optional() };

const CreateLogGroup = z.looseObject({ logGroupName });
const CreateLogStream = z.looseObject({ logGroupName, logStreamName: name });
const DescribeLogGroups = z.looseObject({ logGroupNamePrefix: z.string().optional(), ...paging });
const DescribeLogStreams = z.looseObject({
  logGroupName: name.optional(),
  logGroupIdentifier: name.optional(),
  logStreamNamePrefix: z.string().optional(),
  descending: z.boolean().optional(),
  ...paging,
});
const PutLogEvents = z.looseObject({
  logGroupName,
  logStreamName: name,
  logEvents: z
    .array(z.object({ timestamp: z.number().int(), message: z.string().min(1) }))
    .min(1)
    .max(10_000),
});
const GetLogEvents = z.looseObject({
  logGroupName: name.optional(),
  logGroupIdentifier: name.optional(),
  logStreamName: name,
  startTime: z.number().int().optional(),
  endTime: z.number().int().optional(),
  startFromHead: z.boolean().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const FilterLogEvents = z.looseObject({
  logGroupName: name.optional(),
  logGroupIdentifier: name.optional(),
  logStreamNames: z.array(name).min(1).optional(),
  logStreamNamePrefix: z.string().optional(),
  startTime: z.number().int().optional(),
  endTime: z.number().int().optional(),
  filterPattern: z.string().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
/** Options of {@link createCloudWatchLogsService}. */
export interface CloudWatchLogsServiceOptions {
  readonly store: LogStore;
  /** Injectable for tests of the engine boundary; the real engine by default. */
  readonly compile?: (queryString: string) => CompiledInsightsQuery;
  /** Queries that may run at once before StartQuery answers LimitExceededException (AWS's quota by default). */
  readonly maxConcurrentQueries?: number;
  /** The clock PutLogEvents judges timestamps by; the wall clock by default. */
  readonly now?: () => number;
}

/** CloudWatch Logs (awsJson1_1, `Logs_20140328.*`) over the local log store. */
export function createCloudWatchLogsService(options: CloudWatchLogsServiceOptions): JsonServiceDefinition {
  const { store } = options;
  const compile = options.compile ?? compileInsightsQuery;
  const now = options.now ?? Date.now;
  const maxConcurrentQueries = options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES;

  const requireGroup = (group: string): void => {
    if (!store.hasGroup(group)) throw notFound(`The specified log group does not exist: ${group}`);
  };
  const groupOf = (input: {
    logGroupName?: string | undefined;
    logGroupIdentifier?: string | undefined;
  }): string => {
    const group =
      input.logGroupName ??
      (input.logGroupIdentifier ? groupFromIdentifier(input.logGroupIdentifier) : undefined);
    if (!group) throw new AwsServiceError(INVALID, 'Either logGroupName or logGroupIdentifier must be given');
    if (input.logGroupName && input.logGroupIdentifier) {
      throw new AwsServiceError(INVALID, 'logGroupName and logGroupIdentifier are mutually exclusive');
    }
    requireGroup(group);
    return group;
  };

  const operations: Record<string, JsonOperation> = {
    CreateLogGroup(raw) {
      const input = parseInput(CreateLogGroup, raw, INVALID);
      if (!store.createGroup(input.logGroupName)) {
        throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
      }
      return {};
    },
    CreateLogStream(raw) {
      const input = parseInput(CreateLogStream, raw, INVALID);
      requireGroup(input.logGroupName);
      if (!store.createStream(input.logGroupName, input.logStreamName)) {
        throw new AwsServiceError(
          'ResourceAlreadyExistsException',
          'The specified log stream already exists',
        );
      }
      return {};
    },
    DescribeLogGroups(raw, ctx) {
      const input = parseInput(DescribeLogGroups, raw, INVALID);
      const all = store.listGroups().filter((g) => g.name.startsWith(input.logGroupNamePrefix ?? ''));
      const { page, nextToken } = paginate(all, input.nextToken, Math.min(input.limit ?? 50, 50));
      return {
        logGroups: page.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          metricFilterCount: 0,
          storedBytes: g.storedBytes,
          arn: `${groupArn(ctx, g.name)}:*`,
          logGroupArn: groupArn(ctx, g.name),
          logGroupClass: 'STANDARD',
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeLogStreams(raw, ctx) {
      const input = parseInput(DescribeLogStreams, raw, INVALID);
      const group = groupOf(input);
      let all = store.listStreams(group).filter((s) => s.name.startsWith(input.logStreamNamePrefix ?? ''));
      if (input.descending) all = all.reverse();
      const { page, nextToken } = paginate(all, input.nextToken, Math.min(input.limit ?? 50, 50));
      return {
        logStreams: page.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
          arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${group}:log-stream:${s.name}`,
          storedBytes: s.storedBytes,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    PutLogEvents(raw) {
      const input = parseInput(PutLogEvents, raw, INVALID);
      requireGroup(input.logGroupName);
      if (!store.hasStream(input.logGroupName, input.logStreamName)) {
        throw notFound(`The specified log stream does not exist: ${input.logStreamName}`);
      }
      // AWS wants chronological batches; we sort instead of rejecting (lenient by design).
      const sorted = [...input.logEvents].sort((a, b) => a.timestamp - b.timestamp);
      const { accepted, rejected } = screenLogEvents(sorted, now());
      if (accepted.length > 0) store.append(input.logGroupName, input.logStreamName, accepted);
      return rejected === undefined ? {} : { rejectedLogEventsInfo: rejected };
    },
    GetLogEvents(raw) {
      const input = parseInput(GetLogEvents, raw, INVALID);
      const group = groupOf(input);
      if (!store.hasStream(group, input.logStreamName)) {
        throw notFound(`The specified log stream does not exist: ${input.logStreamName}`);
      }
      // startTime inclusive, endTime exclusive (GetLogEvents API reference).
      const window = store.streamEvents(
        group,
        input.logStreamName,
        input.startTime ?? -Infinity,
        input.endTime ?? Infinity,
      );
      const limit = input.limit ?? 10_000;
      let from: number;
      let to: number;
      const token = input.nextToken ? parseGetToken(input.nextToken) : undefined;
      if (token?.direction === 'f') {
        from = Math.min(token.index, window.length);
        to = Math.min(from + limit, window.length);
      } else if (token?.direction === 'b') {
        to = Math.min(token.index, window.length);
        from = Math.max(0, to - limit);
      } else if (input.startFromHead) {
        from = 0;
        to = Math.min(limit, window.length);
      } else {
        to = window.length;
        from = Math.max(0, to - limit);
      }
      return {
        events: window
          .slice(from, to)
          .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        // At either end the token repeats, which is how clients know they reached it.
        nextForwardToken: `f/${String(to).padStart(20, '0')}`,
        nextBackwardToken: `b/${String(from).padStart(20, '0')}`,
      };
    },
    FilterLogEvents(raw) {
      const input = parseInput(FilterLogEvents, raw, INVALID);
      const group = groupOf(input);
      if (input.logStreamNames && input.logStreamNamePrefix) {
        throw new AwsServiceError(INVALID, 'logStreamNames and logStreamNamePrefix are mutually exclusive');
      }
      const matcher = compilePattern(input.filterPattern);
      const streams = input.logStreamNames
        ? new Set(input.logStreamNames)
        : input.logStreamNamePrefix !== undefined
          ? new Set(
              store
                .listStreams(group)
                .map((s) => s.name)
                .filter((s) => s.startsWith(input.logStreamNamePrefix as string)),
            )
          : undefined;
      const skip = input.nextToken ? parseOffsetToken(input.nextToken) : 0;
      const limit = input.limit ?? 10_000;
      const events: StoredLogEvent[] = [];
      let matched = 0;
      let more = false;
      // endTime is inclusive here per the API reference; scan bounds are inclusive too.
      for (const event of store.scan(
        [group],
        input.startTime ?? -Infinity,
        input.endTime ?? Infinity,
        streams,
      )) {
        if (!matcher(event.message)) continue;
        matched++;
        if (matched <= skip) continue;
        if (events.length === limit) {
          more = true;
          break;
        }
        events.push(event);
      }
      return {
        events: events.map((e) => ({
          logStreamName: e.logStreamName,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: e.eventId,
        })),
        searchedLogStreams: [],
        ...(more ? { nextToken: offsetToken(skip + events.length) } : {}),
      };
    },
    ...insightsOperations({ store, compile, now, maxConcurrentQueries, requireGroup }),
  };

  return { targetPrefix: 'Logs_20140328', jsonVersion: '1.1', operations: wrapStoreErrors(operations) };
}

function wrapStoreErrors(operations: Record<string, JsonOperation>): Record<string, JsonOperation> {
  return Object.fromEntries(
    Object.entries(operations).map(([op, fn]) => [
      op,
      (input: Record<string, unknown>, ctx: RequestContext) => {
        try {
          return fn(input, ctx);
        } catch (error) {
          if (error instanceof LogStoreError) throw notFound(error.message, error);
          if (error instanceof FilterPatternError)
            throw new AwsServiceError(INVALID, error.message, { cause: error });
          throw error;
        }
      },
    ]),
  );
}

function compilePattern(pattern: string | undefined): (message: string) => boolean {
  return compileFilterPattern(pattern);
}

function groupArn(ctx: RequestContext, group: string): string {
  return `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${group}`;
}

function paginate<T>(
  all: readonly T[],
  token: string | undefined,
  limit: number,
): { page: T[]; nextToken?: string } {
  const start = token ? parseOffsetToken(token) : 0;
  const page = all.slice(start, start + limit);
  const end = start + page.length;
  return end < all.length ? { page, nextToken: offsetToken(end) } : { page };
}

function offsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function parseOffsetToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // falls through to the error below
  }
  throw new AwsServiceError(INVALID, 'The specified nextToken is invalid');
}

function parseGetToken(token: string): { direction: 'f' | 'b'; index: number } {
  const match = /^([fb])\/(\d+)$/.exec(token);
  if (!match) throw new AwsServiceError(INVALID, 'The specified nextToken is invalid');
  return { direction: match[1] as 'f' | 'b', index: Number(match[2]) };
}
