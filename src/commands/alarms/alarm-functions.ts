import type { AlarmCondition, AlarmLogLine, Dimension } from './alarm-event';
import { functionOfLogGroup } from './alarm-event';

/** The result of reading one payload: a value, or the path that failed. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Lambda functions an alarm concerns: FunctionName dimensions and /aws/lambda/<fn> log groups. */
export function functionsOf(dimensions: Dimension[], logGroups: string[]): string[] {
  const fromDims = dimensions.filter((d) => d.name === 'FunctionName').map((d) => d.value);
  const fromGroups = logGroups.map(functionOfLogGroup).filter((f): f is string => f !== undefined);
  return unique([...fromDims, ...fromGroups]);
}

/** Every metric dimension a condition names. */
export function dimensionsOf(condition: AlarmCondition): Dimension[] {
  if (condition.kind === 'metric') return condition.dimensions;
  if (condition.kind === 'math') return condition.queries.flatMap((q) => q.metric?.dimensions ?? []);
  return [];
}

/** The log groups a condition or its carried lines name. */
export function logGroupsOf(condition: AlarmCondition, lines: AlarmLogLine[]): string[] {
  const fromLines = lines.map((l) => l.logGroup).filter((g): g is string => g !== undefined);
  return condition.kind === 'log' ? [...condition.logGroups, ...fromLines] : fromLines;
}
