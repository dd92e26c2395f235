import { InvalidInputError } from '../errors';
import { type Block, escapeMrkdwn, mrkdwn, plain, type SlackMessage, truncate } from '../slack/block-kit';
import type { TimeWindow } from '../time-window';
import type { AlarmEvent } from './alarm-event';

/** The errors-and-exceptions query behind the Investigate button; it embeds no values, so nothing needs quoting. */
export const INVESTIGATE_QUERY = [
  'fields @timestamp, functionName, traceId, exception.name, exception.message, level',
  '| filter level = "ERROR" or ispresent(exception.name)',
  '| sort @timestamp desc',
  '| limit 50',
].join('\n');

/** Lambda function names as AWS allows them (no alias or version part: log groups do not carry one). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Log group names as AWS allows them. */
const LOG_GROUP = /^[A-Za-z0-9_./#-]{1,512}$/;

/** A Logs Insights query ready for StartQuery. */
export interface InvestigateQuery {
  readonly queryString: string;
  readonly logGroupNames: string[];
  readonly start: Date;
  readonly end: Date;
}

/** The window we look at around a state change: the evaluated periods (at least 15 min) and one minute after. */
export function alarmWindow(alarm: AlarmEvent): TimeWindow {
  const c = alarm.condition;
  const evaluatedSeconds =
    c.kind === 'metric'
      ? c.period * c.evaluationPeriods
      : c.kind === 'math'
        ? (c.period ?? 60) * (c.evaluationPeriods ?? 1)
        : 0;
  const lookbackMs = Math.max(evaluatedSeconds * 1000, 15 * 60 * 1000);
  const at = alarm.stateChangeTime.getTime();
  return { start: new Date(at - lookbackMs), end: new Date(at + 60 * 1000) };
}

/** The log groups an alarm points at: its functions' groups plus a log alarm's own groups. */
export function alarmLogGroups(alarm: AlarmEvent): string[] {
  const groups = alarm.functions.filter((f) => FUNCTION_NAME.test(f)).map((f) => `/aws/lambda/${f}`);
  if (alarm.condition.kind === 'log') {
    // Identifiers may be ARNs; StartQuery's logGroupNames wants the bare name.
    for (const id of alarm.condition.logGroups)
      groups.push(id.replace(/^arn:[^:]*:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, ''));
  }
  return [...new Set(groups)].filter((g) => LOG_GROUP.test(g));
}

/** Builds the errors query over the given functions' log groups for a window. */
export function buildInvestigateQuery(functions: readonly string[], window: TimeWindow): InvestigateQuery {
  for (const f of functions) {
    if (!FUNCTION_NAME.test(f)) {
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
    start: window.start,
    end: window.end,
  };
}

/** The Investigate query for an alarm, or undefined when it points at no log group. */
export function investigateQueryForAlarm(alarm: AlarmEvent): InvestigateQuery | undefined {
  const groups = alarmLogGroups(alarm);
  if (groups.length === 0) return undefined;
  const window = alarmWindow(alarm);
  return { queryString: INVESTIGATE_QUERY, logGroupNames: groups, start: window.start, end: window.end };
}

/** A row of GetQueryResults: every value is a string. */
export type InsightsRow = readonly { readonly field: string; readonly value: string }[];

/** One trace that logged errors in the window. */
export interface AffectedTrace {
  readonly traceId: string;
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

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** Groups the Investigate rows by trace id, with counts, most affected trace first. */
export function summarizeInvestigation(rows: readonly InsightsRow[]): InvestigationSummary {
  const byTrace = new Map<
    string,
    {
      count: number;
      functions: Set<string>;
      exceptions: Map<string, number>;
      lastAt?: string;
      lastMessage?: string;
    }
  >();
  let withoutTrace = 0;
  for (const row of rows) {
    const get = (field: string) => row.find((f) => f.field === field)?.value;
    const traceId = get('traceId')?.trim();
    if (!traceId || !TRACE_ID.test(traceId)) {
      withoutTrace += 1;
      continue;
    }
    let entry = byTrace.get(traceId);
    if (!entry) {
      entry = { count: 0, functions: new Set(), exceptions: new Map() };
      byTrace.set(traceId, entry);
    }
    entry.count += 1;
    const fn = get('functionName');
    if (fn) entry.functions.add(fn);
    const exception = get('exception.name') ?? (get('level') === 'ERROR' ? 'ERROR' : undefined);
    if (exception) entry.exceptions.set(exception, (entry.exceptions.get(exception) ?? 0) + 1);
    const at = get('@timestamp');
    // Rows come newest first (sort @timestamp desc), but do not rely on it.
    if (at && (!entry.lastAt || at > entry.lastAt)) {
      entry.lastAt = at;
      const message = get('exception.message');
      if (message) entry.lastMessage = message;
      else delete entry.lastMessage;
    }
  }
  const traces = [...byTrace.entries()]
    .map(([traceId, e]) => ({
      traceId,
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

/** Options of the Investigate result message. */
export interface InvestigationMessageOptions {
  readonly alarmName: string;
  /** Traces listed, each in a section with its own button (default 10, at most 40: a message holds 50 blocks). */
  readonly maxTraces?: number;
}

/** The Investigate result: affected traces with counts, each with a `trace_run` button. */
export function buildInvestigationMessage(
  summary: InvestigationSummary,
  options: InvestigationMessageOptions,
): SlackMessage {
  const max = Math.min(options.maxTraces ?? 10, 40);
  const name = escapeMrkdwn(options.alarmName);
  if (summary.total === 0) {
    const text = `No errors or exceptions logged around ${options.alarmName}.`;
    return {
      text,
      blocks: [{ type: 'section', text: mrkdwn(`:mag: No errors or exceptions logged around *${name}*.`) }],
    };
  }
  const shown = summary.traces.slice(0, max);
  const blocks: Block[] = [
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
      text: mrkdwn(`\`${t.traceId}\` ×${t.count} ${what}${fns ? ` in ${fns}` : ''}${msg}`),
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
  const text = `${summary.total} error line(s) around ${options.alarmName}; ${summary.traces.length} trace(s) affected.`;
  return { text, blocks };
}
