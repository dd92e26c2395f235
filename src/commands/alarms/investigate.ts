import { GumshoeError, InvalidInputError } from '../errors';
import { functionField, LOG_FIELD_PRESETS, type LogFields } from '../flows/log-fields';
import type { LogSearch, LogSearchRequest } from '../ports';
import { FunctionNameValue, TraceId, XRayTraceId } from '../query/quote';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { countRuntimeFindings, runtimeFindingBlocks } from '../runtime/runtime-error-view';
import {
  formatRuntimeFinding,
  invocationFailures,
  type RuntimeFindings,
  summarizeRuntimeErrors,
} from '../runtime/runtime-findings';
import {
  type Block,
  escapeMrkdwn,
  formatScan,
  mrkdwn,
  plain,
  type ScanSummary,
  type SlackMessage,
  sumScans,
  truncate,
} from '../slack/block-kit';
import type { TimeWindow } from '../time-window';
import { normalizeRow } from '../trace/trace-report';
import {
  type FailedTraces,
  findFailedTraces,
  SERVICE_NAME_PATTERN,
  type TraceSummaryReader,
} from '../xray/trace-summaries';
import type { AlarmEvent } from './alarm-event';

/**
 * The errors-and-exceptions query behind the Investigate button; it embeds no values, so nothing
 * needs quoting. `xrayTraceId` rides along so a trace can be opened in X-Ray too.
 */
export const INVESTIGATE_QUERY = buildInvestigateQueryText(LOG_FIELD_PRESETS.gumshoe);

/** The errors-and-exceptions query read through one flow's fields (this repo's logger: INVESTIGATE_QUERY). */
export function buildInvestigateQueryText(fields: LogFields): string {
  const read = [
    '@timestamp',
    functionField(fields),
    fields.correlation,
    ...(fields.xrayTraceId ? [fields.xrayTraceId] : []),
    fields.exceptionName,
    fields.exceptionMessage,
    fields.level,
    ...(fields.message === 'message' ? [] : [fields.message]),
  ];
  return [
    ...fields.prelude.map((stage, i) => (i === 0 ? stage : `| ${stage}`)),
    `${fields.prelude.length > 0 ? '| ' : ''}fields ${read.join(', ')}`,
    `| filter ${fields.level} = "ERROR" or ispresent(${fields.exceptionName})`,
    '| sort @timestamp desc',
    '| limit 50',
  ].join('\n');
}

/** Log group names as AWS allows them. */
const LOG_GROUP = /^[A-Za-z0-9_./#-]{1,512}$/;

/** The window we look at around a state change: the evaluated periods (at least 15 min) and one minute after. */
export function alarmWindow(alarm: AlarmEvent): TimeWindow {
  const c = alarm.condition;
  const evaluatedSeconds =
    c.kind === 'metric'
      ? c.period * (c.evaluationPeriods ?? 1)
      : c.kind === 'math'
        ? (c.period ?? 60) * (c.evaluationPeriods ?? 1)
        : 0;
  const lookbackMs = Math.max(evaluatedSeconds * 1000, 15 * 60 * 1000);
  const at = alarm.stateChangeTime.getTime();
  return { start: new Date(at - lookbackMs), end: new Date(at + 60 * 1000) };
}

/** The log groups an alarm points at: its functions' groups plus a log alarm's own groups. */
export function alarmLogGroups(alarm: AlarmEvent): string[] {
  const groups = alarm.functions
    .filter((f) => FunctionNameValue.safeParse(f).success)
    .map((f) => `/aws/lambda/${f}`);
  if (alarm.condition.kind === 'log') {
    // Identifiers may be ARNs; StartQuery's logGroupNames wants the bare name.
    for (const id of alarm.condition.logGroups)
      groups.push(id.replace(/^arn:[^:]*:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, ''));
  }
  return [...new Set(groups)].filter((g) => LOG_GROUP.test(g));
}

/** Builds the errors query over the given functions' log groups for a window. */
export function buildInvestigateQuery(functions: readonly string[], window: TimeWindow): LogSearchRequest {
  for (const f of functions) {
    if (!FunctionNameValue.safeParse(f).success) {
      throw new InvalidInputError(
        `not a function name: ${JSON.stringify(f)}`,
        'That is not a Lambda function name.',
      );
    }
  }
  if (functions.length === 0) {
    throw new InvalidInputError(
      'no functions to investigate',
      'This alarm names no Lambda function to investigate.',
    );
  }
  return {
    queryString: INVESTIGATE_QUERY,
    logGroupNames: [...new Set(functions)].map((f) => `/aws/lambda/${f}`),
    startTime: window.start,
    endTime: window.end,
  };
}

/** The Investigate query for an alarm, or undefined when it points at no log group. */
export function investigateQueryForAlarm(alarm: AlarmEvent): LogSearchRequest | undefined {
  const groups = alarmLogGroups(alarm);
  if (groups.length === 0) return undefined;
  const window = alarmWindow(alarm);
  return {
    queryString: INVESTIGATE_QUERY,
    logGroupNames: groups,
    startTime: window.start,
    endTime: window.end,
  };
}

/** One trace that logged errors in the window. */
export interface AffectedTrace {
  /** Our correlation id (the service's `traceId`, a UUID), or an X-Ray id when that is all we have. */
  readonly traceId: string;
  /** The X-Ray trace id logged beside it, when the service had one. */
  readonly xrayTraceId?: string;
  readonly count: number;
  readonly functions: string[];
  /** Exception names (or `ERROR` for plain error lines), most frequent first. */
  readonly exceptions: string[];
  readonly lastMessage?: string;
  readonly lastAt?: string;
}

/** What the Investigate query found. */
export interface InvestigationSummary {
  readonly total: number;
  readonly withoutTrace: number;
  readonly traces: AffectedTrace[];
}

/** The trace id of a row when it is one we can pass to /trace (a UUID or an X-Ray id), lower case. */
function usableTraceId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const uuid = TraceId.safeParse(value.trim());
  if (uuid.success) return uuid.data;
  const xray = XRayTraceId.safeParse(value.trim());
  return xray.success ? xray.data : undefined;
}

/** Groups the Investigate rows (field → value, as LogSearch returns them) by trace, most affected first. */
export function summarizeInvestigation(
  rows: readonly Readonly<Record<string, string>>[],
): InvestigationSummary {
  const byTrace = new Map<
    string,
    {
      count: number;
      functions: Set<string>;
      exceptions: Map<string, number>;
      xray?: string;
      lastAt?: string;
      lastMessage?: string;
    }
  >();
  let withoutTrace = 0;
  for (const row of rows) {
    const xray = usableTraceId(row.xrayTraceId);
    const traceId = usableTraceId(row.traceId) ?? xray;
    if (!traceId) {
      withoutTrace += 1;
      continue;
    }
    let entry = byTrace.get(traceId);
    if (!entry) {
      entry = { count: 0, functions: new Set(), exceptions: new Map() };
      byTrace.set(traceId, entry);
    }
    entry.count += 1;
    if (xray && xray !== traceId) entry.xray = xray;
    if (row.functionName) entry.functions.add(row.functionName);
    const exception = row['exception.name'] ?? (row.level === 'ERROR' ? 'ERROR' : undefined);
    if (exception) entry.exceptions.set(exception, (entry.exceptions.get(exception) ?? 0) + 1);
    const at = row['@timestamp'];
    // Rows come newest first (sort @timestamp desc), but do not rely on it.
    if (at && (!entry.lastAt || at > entry.lastAt)) {
      entry.lastAt = at;
      const message = row['exception.message'] ?? row.message;
      if (message) entry.lastMessage = message;
      else delete entry.lastMessage;
    }
  }
  const traces = [...byTrace.entries()]
    .map(([traceId, e]) => ({
      traceId,
      ...(e.xray ? { xrayTraceId: e.xray } : {}),
      count: e.count,
      functions: [...e.functions].sort(),
      exceptions: [...e.exceptions.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([name]) => name),
      ...(e.lastAt ? { lastAt: e.lastAt } : {}),
      ...(e.lastMessage ? { lastMessage: e.lastMessage } : {}),
    }))
    .sort((a, b) => b.count - a.count || (b.lastAt ?? '').localeCompare(a.lastAt ?? ''));
  return { total: rows.length, withoutTrace, traces };
}

/**
 * The first error lines of an Investigate result, one short line each, for the alarm message; what
 * the Lambda runtime logged (timeouts, crashes, out-of-memory kills) comes first.
 */
export function firstErrorLines(
  rows: readonly Readonly<Record<string, string>>[],
  max = 5,
  runtime?: RuntimeFindings,
): string[] {
  const failures = runtime ? invocationFailures(runtime.findings) : [];
  const runtimeLines = failures.map((f) => truncate(formatRuntimeFinding(f), 300));
  const codeLines = rows.map((row) => {
    const at = row['@timestamp']?.slice(11, 19) ?? '';
    const what = row['exception.name']
      ? `${row['exception.name']}: ${row['exception.message'] ?? ''}`
      : (row.message ?? row.level ?? 'ERROR');
    return truncate([at, row.functionName, what.trim()].filter(Boolean).join(' '), 300);
  });
  return [...runtimeLines, ...codeLines].slice(0, max);
}

/** What X-Ray said about the alarm window: the failed traces, or why there are none to show. */
export type XRayFindings =
  | { readonly found: FailedTraces; readonly slowerThanSeconds?: number }
  | { readonly unavailable: string };

/** Options of the Investigate result message. */
export interface InvestigationMessageOptions {
  readonly alarmName: string;
  /** Traces listed, each in a section with its own button (default 10, at most 40: a message holds 50 blocks). */
  readonly maxTraces?: number;
  /** What the query cost, shown in a context line. */
  readonly scan?: ScanSummary;
  /** The failed traces GetTraceSummaries found in the window, when X-Ray was asked. */
  readonly xray?: XRayFindings;
  /** X-Ray traces listed with an Open X-Ray trace button (default 5, at most 8). */
  readonly maxXRayTraces?: number;
  /** What the Lambda runtime itself logged in the window (timeouts, crashes, out of memory, init failures). */
  readonly runtime?: RuntimeFindings;
}

/**
 * The block_id prefix of the Investigate answer's Open X-Ray trace rows: the alarm listener takes
 * xray_open clicks in these blocks (bare trace id) and answers in the alarm's thread.
 */
export const INVESTIGATE_XRAY_BLOCK_PREFIX = 'alarm_xray_';

function xrayBlocks(xray: XRayFindings, logged: readonly AffectedTrace[], maxShown: number): Block[] {
  if ('unavailable' in xray) {
    return [{ type: 'context', elements: [mrkdwn(`:satellite: X-Ray: ${escapeMrkdwn(xray.unavailable)}`)] }];
  }
  const { traces, truncated } = xray.found;
  const what =
    xray.slowerThanSeconds !== undefined
      ? `failed or slower than ${formatSeconds(xray.slowerThanSeconds)} trace(s)`
      : 'failed trace(s)';
  if (traces.length === 0) {
    const none =
      xray.slowerThanSeconds !== undefined
        ? `no failed traces and none slower than ${formatSeconds(xray.slowerThanSeconds)}`
        : 'no failed traces';
    return [{ type: 'context', elements: [mrkdwn(`:satellite: X-Ray: ${none} in the window.`)] }];
  }
  const count = `${traces.length}${truncated ? '+' : ''}`;
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(`:satellite: X-Ray: *${count}* ${what} in the window`) },
  ];
  // A trace our logs name by its X-Ray id gets that correlation id beside it.
  const byXRay = new Map(logged.flatMap((t) => (t.xrayTraceId ? [[t.xrayTraceId, t.traceId]] : [])));
  traces.slice(0, maxShown).forEach((t, i) => {
    const flags = [t.fault ? 'fault' : '', t.error ? 'error' : '', t.throttle ? 'throttled' : '']
      .filter(Boolean)
      .join(', ');
    const facts = [
      flags,
      t.durationSeconds !== undefined ? `${t.durationSeconds.toFixed(2)} s` : '',
      t.startTime ? t.startTime.toISOString().slice(11, 19) : '',
    ].filter(Boolean);
    const correlation = byXRay.get(t.id);
    blocks.push({
      type: 'section',
      block_id: `${INVESTIGATE_XRAY_BLOCK_PREFIX}${i}`,
      text: mrkdwn(
        `\`${t.id}\` ${facts.join(' · ')}${correlation ? ` · trace \`${escapeMrkdwn(correlation)}\`` : ''}`,
      ),
      accessory: { type: 'button', action_id: 'xray_open', text: plain('Open X-Ray trace'), value: t.id },
    });
  });
  if (traces.length > maxShown) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`… and ${traces.length - maxShown}${truncated ? '+' : ''} more X-Ray traces`)],
    });
  }
  return blocks;
}

/**
 * The Investigate result: affected traces with counts, each with a `trace_run` button, then the
 * failed X-Ray traces of the window, each with an Open X-Ray trace button.
 */
export function buildInvestigationMessage(
  summary: InvestigationSummary,
  options: InvestigationMessageOptions,
): SlackMessage {
  const max = Math.min(options.maxTraces ?? 10, 40);
  const name = escapeMrkdwn(options.alarmName);
  const xray = options.xray
    ? xrayBlocks(options.xray, summary.traces, Math.min(options.maxXRayTraces ?? 5, 8))
    : [];
  const xrayCount = options.xray && 'found' in options.xray ? options.xray.found.traces.length : 0;
  const xrayText = xrayCount > 0 ? ` X-Ray: ${xrayCount} failed trace(s).` : '';
  const scan: Block[] = options.scan
    ? [{ type: 'context', elements: [mrkdwn(formatScan(options.scan))] }]
    : [];
  // The runtime's own lines come first: a timeout or an out-of-memory kill is the likeliest cause.
  const runtime = options.runtime ? runtimeFindingBlocks(options.runtime) : [];
  const failures = options.runtime ? invocationFailures(options.runtime.findings) : [];
  const runtimeText = failures.length > 0 ? ` Lambda runtime: ${countRuntimeFindings(failures)}.` : '';
  if (summary.total === 0) {
    const text = `No errors or exceptions logged around ${options.alarmName}.${runtimeText}${xrayText}`;
    return {
      text,
      blocks: [
        ...runtime,
        {
          type: 'section',
          text: mrkdwn(`:mag: No error lines or exceptions logged by the code around *${name}*.`),
        },
        ...xray,
        ...scan,
      ],
    };
  }
  const shown = summary.traces.slice(0, max);
  const blocks: Block[] = [
    ...runtime,
    {
      type: 'section',
      text: mrkdwn(
        `:mag: *${summary.total}* error line(s) around *${name}*: ${summary.traces.length} trace(s) affected` +
          (summary.withoutTrace > 0 ? `, ${summary.withoutTrace} line(s) without a trace id` : ''),
      ),
    },
  ];
  for (const t of shown) {
    const what = t.exceptions
      .slice(0, 3)
      .map((e) => `\`${escapeMrkdwn(truncate(e, 80))}\``)
      .join(', ');
    const fns = t.functions.map((f) => escapeMrkdwn(f)).join(', ');
    const msg = t.lastMessage ? `\n${escapeMrkdwn(truncate(t.lastMessage, 300))}` : '';
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `\`${t.traceId}\` ×${t.count} ${what}${fns ? ` in ${fns}` : ''}` +
          `${t.xrayTraceId ? ` · X-Ray \`${t.xrayTraceId}\`` : ''}${msg}`,
      ),
      // One button per line; action_id only has to be unique within its block, so all can be `trace_run`.
      accessory: { type: 'button', action_id: 'trace_run', text: plain('Show trace'), value: t.traceId },
    });
  }
  if (summary.traces.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`… and ${summary.traces.length - shown.length} more traces`)],
    });
  }
  blocks.push(...xray, ...scan);
  const text = `${summary.total} error line(s) around ${escapeMrkdwn(options.alarmName)}; ${summary.traces.length} trace(s) affected.${runtimeText}${xrayText}`;
  return { text, blocks };
}

/** What the Investigate button looks at: the alarm, its functions and its window. */
export interface InvestigateTarget {
  readonly alarmName: string;
  readonly functions: readonly string[];
  readonly window: TimeWindow;
  /** For an alarm on slow invocations: X-Ray traces slower than this count as affected too. */
  readonly slowerThanSeconds?: number;
}

/**
 * The Investigate use case: runs the errors query over the alarm's functions and window and, when
 * X-Ray is wired, GetTraceSummaries for their failed traces in the same window, and builds the answer.
 * X-Ray failing with an expected error leaves a note; the log answer still comes.
 */
export async function investigateAlarm(
  target: InvestigateTarget,
  logs: LogSearch,
  xray?: TraceSummaryReader,
  fieldSets: readonly LogFields[] = [LOG_FIELD_PRESETS.gumshoe],
): Promise<SlackMessage> {
  const request = buildInvestigateQuery(target.functions, target.window);
  // One errors query per distinct field set (flows logged with different loggers), read into one list.
  const errorRuns = fieldSets.map((fields) =>
    logs.run({ ...request, queryString: buildInvestigateQueryText(fields) }),
  );
  const [results, runtimeResult, findings] = await Promise.all([
    Promise.all(errorRuns),
    logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    xray ? xrayFindings(xray, target) : Promise.resolve(undefined),
  ]);
  const rows = results.flatMap((result, i) => {
    const fields = fieldSets[i] ?? LOG_FIELD_PRESETS.gumshoe;
    // A line another set's query matched too (same names) is counted once.
    return result.rows.map((r) => normalizeRow(r, fields));
  });
  const unique = [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
  const scanOf = (r: typeof runtimeResult) => ({
    recordsScanned: r.statistics.recordsScanned,
    bytesScanned: r.statistics.bytesScanned,
    durationMs: r.durationMs,
  });
  return buildInvestigationMessage(summarizeInvestigation(unique), {
    alarmName: target.alarmName,
    scan: sumScans([...results.map(scanOf), scanOf(runtimeResult)], true),
    runtime: summarizeRuntimeErrors(runtimeResult.rows, RUNTIME_ERROR_LIMIT),
    ...(findings ? { xray: findings } : {}),
  });
}

async function xrayFindings(xray: TraceSummaryReader, target: InvestigateTarget): Promise<XRayFindings> {
  const services = target.functions.filter((f) => SERVICE_NAME_PATTERN.test(f));
  if (services.length === 0) return { unavailable: 'the alarm names no service to look for traces in.' };
  try {
    const slow = target.slowerThanSeconds;
    const found = await findFailedTraces(xray, {
      services,
      window: target.window,
      ...(slow !== undefined ? { slowerThanSeconds: slow } : {}),
    });
    return { found, ...(slow !== undefined ? { slowerThanSeconds: slow } : {}) };
  } catch (error) {
    if (error instanceof GumshoeError) return { unavailable: error.userMessage };
    throw error;
  }
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}
