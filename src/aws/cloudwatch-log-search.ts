import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import {
  GumshoeError,
  LogGroupNotFoundError,
  MalformedQueryError,
  QueryFailedError,
  QueryLimitExceededError,
  QueryTimeoutError,
} from '../commands/errors';
import type { LogSearch, LogSearchRequest, LogSearchResult } from '../commands/ports';

/** Options of {@link CloudWatchLogSearch}; every time source is injectable for tests. */
export interface CloudWatchLogSearchOptions {
  /** Give up (and StopQuery) after this long; default 120 s, well inside the worker's timeout. */
  readonly deadlineMs?: number;
  /** First poll interval; doubles up to `pollMaxMs`. Default 100 ms. */
  readonly pollInitialMs?: number;
  /** Longest poll interval. Default 1 s. */
  readonly pollMaxMs?: number;
  /** StartQuery attempts when CloudWatch says too many queries run. Default 4. */
  readonly startAttempts?: number;
  /** Base of the jittered StartQuery backoff. Default 500 ms. */
  readonly startBackoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Epoch ms now; default Date.now. */
  readonly now?: () => number;
  /** A number in [0, 1) for jitter; default Math.random. */
  readonly random?: () => number;
}

/** CloudWatch allows at most 50 log groups per query (StartQuery `logGroupNames`). */
export const MAX_LOG_GROUPS = 50;

const FINAL_FAILURES: Record<string, string> = {
  Failed: 'The log query failed in CloudWatch. Try again; if it keeps failing, narrow the window.',
  Cancelled: 'The log query was cancelled (someone or something stopped it). Try again.',
  Timeout: 'The log query timed out in CloudWatch. Try a shorter window.',
  Unknown: 'CloudWatch reported an unknown state for the log query. Try again.',
};

// Every value is a string and each row carries @ptr (GetQueryResults); parse, don't trust.
const ResultsSchema = z.array(
  z.array(z.object({ field: z.string().optional(), value: z.string().optional() })),
);
const StatisticsSchema = z
  .object({
    recordsMatched: z.number().optional(),
    recordsScanned: z.number().optional(),
    bytesScanned: z.number().optional(),
  })
  .optional();

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** THE Logs Insights runner: starts a query on explicit log groups, polls with backoff, enforces a deadline. */
export class CloudWatchLogSearch implements LogSearch {
  private readonly deadlineMs: number;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly startAttempts: number;
  private readonly startBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    options: CloudWatchLogSearchOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? 120_000;
    this.pollInitialMs = options.pollInitialMs ?? 100;
    this.pollMaxMs = options.pollMaxMs ?? 1000;
    this.startAttempts = Math.max(1, options.startAttempts ?? 4);
    this.startBackoffMs = options.startBackoffMs ?? 500;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Runs one query to completion and returns its rows (without @ptr) and statistics. */
  async run(request: LogSearchRequest): Promise<LogSearchResult> {
    const groups = [...new Set(request.logGroupNames)];
    if (groups.length === 0 || groups.length > MAX_LOG_GROUPS) {
      // Splitting would silently break stats, sort and limit across groups, so refuse instead.
      throw new GumshoeError(
        `${groups.length} log groups given; a query takes 1 to ${MAX_LOG_GROUPS}`,
        `The bot is configured with ${groups.length} log groups; a query can search 1 to ${MAX_LOG_GROUPS}.`,
      );
    }
    if (request.endTime.getTime() < request.startTime.getTime()) {
      throw new GumshoeError('query window ends before it starts', 'The query window ends before it starts.');
    }
    const started = this.now();
    const deadline = started + this.deadlineMs;
    const queryId = await this.start(request, groups);

    let interval = this.pollInitialMs;
    for (;;) {
      const output = await this.getResults(queryId);
      const status = output.status ?? 'Unknown';
      if (status === 'Complete') return this.toResult(output, this.now() - started);
      if (status !== 'Scheduled' && status !== 'Running') {
        throw new QueryFailedError(
          `query ${queryId} ended ${status}`,
          FINAL_FAILURES[status] ?? FINAL_FAILURES.Unknown ?? 'The log query failed.',
          status,
        );
      }
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        await this.stop(queryId);
        throw new QueryTimeoutError(
          `query ${queryId} still ${status} after ${this.deadlineMs} ms; stopped`,
          `The log query took longer than ${Math.round(this.deadlineMs / 1000)} s and was stopped. Try a shorter window.`,
        );
      }
      await this.sleep(Math.min(interval, remaining));
      interval = Math.min(interval * 2, this.pollMaxMs);
    }
  }

  private async start(request: LogSearchRequest, groups: string[]): Promise<string> {
    const input = {
      queryString: request.queryString,
      logGroupNames: groups,
      // Both ends are inclusive epoch seconds: widen, never narrow, the asked-for window.
      startTime: Math.floor(request.startTime.getTime() / 1000),
      endTime: Math.ceil(request.endTime.getTime() / 1000),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(new StartQueryCommand(input));
        if (!output.queryId)
          throw new QueryFailedError(
            'StartQuery returned no queryId',
            FINAL_FAILURES.Unknown ?? '',
            'Unknown',
          );
        return output.queryId;
      } catch (error) {
        const name = errorName(error);
        if (name === 'LimitExceededException') {
          if (attempt >= this.startAttempts) {
            throw new QueryLimitExceededError(
              `StartQuery refused ${attempt} times: too many concurrent queries`,
              'Too many log queries are running in this account right now. Try again in a minute.',
              { cause: error },
            );
          }
          // Full jitter so parallel workers do not retry in lockstep.
          await this.sleep(Math.round(this.random() * this.startBackoffMs * 2 ** (attempt - 1)));
          continue;
        }
        throw mapStartError(error, name, groups);
      }
    }
  }

  private async getResults(queryId: string): Promise<GetQueryResultsCommandOutput> {
    try {
      return await this.client.send(new GetQueryResultsCommand({ queryId }));
    } catch (error) {
      throw new QueryFailedError(
        `GetQueryResults ${queryId} failed: ${errorName(error)}`,
        'Reading the log query results failed. Try again.',
        errorName(error),
        { cause: error },
      );
    }
  }

  private async stop(queryId: string): Promise<void> {
    try {
      await this.client.send(new StopQueryCommand({ queryId }));
    } catch {
      // StopQuery errors when the query already ended; the timeout is what matters.
    }
  }

  private toResult(output: GetQueryResultsCommandOutput, durationMs: number): LogSearchResult {
    const results = ResultsSchema.parse(output.results ?? []);
    const stats = StatisticsSchema.parse(output.statistics);
    const rows = results.map((cells) => {
      const row: Record<string, string> = {};
      for (const { field, value } of cells) {
        if (field === undefined || field === '@ptr' || value === undefined) continue;
        row[field] = value;
      }
      return row;
    });
    return {
      rows,
      statistics: {
        recordsMatched: stats?.recordsMatched ?? 0,
        recordsScanned: stats?.recordsScanned ?? 0,
        bytesScanned: stats?.bytesScanned ?? 0,
      },
      durationMs,
    };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

function mapStartError(error: unknown, name: string, groups: string[]): Error {
  if (error instanceof GumshoeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'MalformedQueryException') {
    return new MalformedQueryError(
      `Logs Insights rejected the query: ${detail}`,
      'The bot built a query Logs Insights rejected. This is a bug in the bot; please report it.',
      { cause: error },
    );
  }
  if (name === 'ResourceNotFoundException') {
    // CloudWatch's message usually names the missing group; keep ours in the user text too.
    return new LogGroupNotFoundError(
      `log group not found (${detail}) among ${groups.join(', ')}`,
      `A log group the bot searches does not exist: ${detail || groups.join(', ')}. Check the configured log groups (${groups.join(', ')}).`,
      { cause: error },
    );
  }
  return new QueryFailedError(
    `StartQuery failed: ${name}: ${detail}`,
    name === 'AccessDeniedException'
      ? 'The bot may not run Logs Insights queries on these log groups (access denied).'
      : 'Starting the log query failed. Try again.',
    name,
    { cause: error },
  );
}
