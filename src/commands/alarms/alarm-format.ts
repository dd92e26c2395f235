import type { AlarmCondition, AlarmStateValue } from './alarm-event';

/** How each state looks: emoji, colour of the attachment bar, label. */
export const AlarmStateStyles = {
  ALARM: { emoji: ':rotating_light:', unicode: '🚨', color: '#D72B3F' },
  OK: { emoji: ':white_check_mark:', unicode: '✅', color: '#2EB67D' },
  INSUFFICIENT_DATA: { emoji: ':grey_question:', unicode: '❔', color: '#9E9E9E' },
} as const satisfies Record<AlarmStateValue, { emoji: string; unicode: string; color: string }>;

const COMPARISONS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** `60` → `1 min`, `300` → `5 min`, `10` → `10 s`, `3600` → `1 h`, `86400` → `1 day`. */
export function formatPeriod(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? '1 day' : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** `45 s`, `12 min`, `1 h 05 min`, `2 d 3 h`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `10:05 UTC` — for lines people read next to Slack's own timestamps. */
export function formatClock(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

function comparisonText(comparison: string | undefined): string {
  return comparison ? (COMPARISONS[comparison] ?? comparison) : 'vs';
}

function datapoints(
  datapointsToAlarm: number | undefined,
  evaluationPeriods: number | undefined,
  unit = 'datapoints',
): string {
  // Unknown (a direct alarm-to-Lambda payload names none): say nothing rather than guess "1 of 1".
  if (evaluationPeriods === undefined) return '';
  return ` (${datapointsToAlarm ?? evaluationPeriods} of ${evaluationPeriods} ${unit})`;
}

function thresholdText(comparison: string | undefined, threshold: number | undefined): string {
  return threshold === undefined ? '' : ` ${comparisonText(comparison)} ${threshold}`;
}

/** An anomaly-detection alarm: `Errors outside the band ad1 = ANOMALY_DETECTION_BAND(m1, 2) over 5 min (3 of 3 datapoints)`. */
function describeBand(condition: Extract<AlarmCondition, { kind: 'math' }>): string {
  const band = condition.queries.find((q) => q.id === condition.thresholdMetricId);
  const watched = condition.queries.find((q) => q.id !== condition.thresholdMetricId && q.returnData);
  const what =
    watched?.label ?? watched?.metric?.metricName ?? watched?.expression ?? watched?.id ?? 'the metric';
  const bandText = band?.expression
    ? `${band.id} = ${band.expression}`
    : (condition.thresholdMetricId ?? 'band');
  const period = condition.period !== undefined ? ` over ${formatPeriod(condition.period)}` : '';
  const how = condition.comparison
    ? (COMPARISONS[condition.comparison] ?? condition.comparison)
    : 'outside the band';
  return `${what} ${how} ${bandText}${period}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods)}`;
}

/** One line saying what the alarm compares: `Errors SUM ≥ 1 over 1 min (1 of 1 datapoints)`. */
export function describeCondition(condition: AlarmCondition): string {
  switch (condition.kind) {
    case 'metric':
      return `${condition.metricName} ${condition.stat}${thresholdText(condition.comparison, condition.threshold)} over ${formatPeriod(condition.period)}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods)}`;
    case 'math': {
      if (condition.thresholdMetricId) return describeBand(condition);
      const main =
        condition.queries.find((q) => q.returnData && q.expression) ??
        condition.queries.find((q) => q.returnData);
      const what = main?.expression
        ? `${main.label ?? main.id} = ${main.expression}`
        : (main?.label ?? main?.id ?? 'expression');
      const period = condition.period !== undefined ? ` over ${formatPeriod(condition.period)}` : '';
      return `${what}${thresholdText(condition.comparison, condition.threshold)}${period}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods)}`;
    }
    case 'composite':
      return `Rule: ${condition.rule}`;
    case 'log':
      return `Log query result${thresholdText(condition.comparison, condition.threshold)}${datapoints(condition.datapointsToAlarm, condition.evaluationPeriods, 'query results')}`;
    case 'unknown':
      return 'Condition not included in the notification';
  }
}
