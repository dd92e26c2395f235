import { InvalidInputError } from '../errors';
import { functionField, LOG_FIELD_PRESETS, type LogFields } from '../flows/log-fields';
import type { LogSearchRequest } from '../ports';
import { FunctionNameValue } from '../query/quote';
import type { TimeWindow } from '../time-window';
import type { AlarmEvent } from './alarm-event';

/** The newest error lines INVESTIGATE_QUERY returns; the totals say how many there were in all. */
export const INVESTIGATE_ROW_LIMIT = 50;

/**
 * The errors-and-exceptions query behind the Investigate button; it embeds no values, so nothing
 * needs quoting. `xrayTraceId` rides along so a trace can be opened in X-Ray too.
 */
export const INVESTIGATE_QUERY = buildInvestigateQueryText(LOG_FIELD_PRESETS.gumshoe);

function preluded(fields: LogFields, lines: readonly string[]): string {
  return [...fields.prelude, ...lines]
    .map((l, i) => (i === 0 || l.startsWith('|') ? l : `| ${l}`))
    .join('\n');
}

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
  return preluded(fields, [
    `fields ${read.join(', ')}`,
    `| filter ${fields.level} = "ERROR" or ispresent(${fields.exceptionName})`,
    '| sort @timestamp desc',
    `| limit ${INVESTIGATE_ROW_LIMIT}`,
  ]);
}

/**
 * The exact totals behind Investigate, computed by Logs Insights whatever the volume: error lines,
 * distinct traces, and lines with no trace id. A first stats counts lines per trace (lines without
 * an id fall into the `none` group: no UUID or X-Ray id contains an `n` or an `o`); a second adds
 * them up, so one row comes back.
 */
export const INVESTIGATE_TOTALS_QUERY = buildInvestigateTotalsQueryText(LOG_FIELD_PRESETS.gumshoe);

/** The totals query read through one flow's fields. */
export function buildInvestigateTotalsQueryText(fields: LogFields): string {
  const ids = [fields.correlation, ...(fields.xrayTraceId ? [fields.xrayTraceId] : [])].join(', ');
  return preluded(fields, [
    `filter ${fields.level} = "ERROR" or ispresent(${fields.exceptionName})`,
    `| fields coalesce(${ids}, "none") as trace`,
    '| stats count(*) as lines by trace',
    '| stats count(*) as groups, sum(lines) as errorLines, sum(strcontains(trace, "none") * lines) as untracedLines, sum(strcontains(trace, "none")) as untracedGroups',
  ]);
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

/** What the Investigate button looks at: the alarm, its functions and its window. */
export interface InvestigateTarget {
  readonly alarmName: string;
  readonly functions: readonly string[];
  readonly window: TimeWindow;
  /** For an alarm on slow invocations: X-Ray traces slower than this count as affected too. */
  readonly slowerThanSeconds?: number;
}
