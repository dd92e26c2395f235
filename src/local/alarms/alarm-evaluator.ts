import type {
  AlarmState,
  AlarmStore,
  MetricAlarmDefinition,
  StoredAlarm,
} from '../aws/cloudwatch/alarm-store';
import { type MetricSource, statistic } from '../aws/cloudwatch/log-metrics';
import { type AlarmTransition, alarmSubject, classicAlarmMessage } from './alarm-message';

/** Where notifications go: the local SNS topics (SnsTopics satisfies this). */
export interface AlarmNotifier {
  publish(topicArn: string, message: string, subject?: string): string;
}

/** The outcome of evaluating one alarm once. */
export interface AlarmVerdict {
  readonly state: AlarmState;
  readonly reason: string;
}

const OPERATOR_TEXT: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function breaches(value: number, d: MetricAlarmDefinition): boolean {
  switch (d.ComparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= d.Threshold;
    case 'GreaterThanThreshold':
      return value > d.Threshold;
    case 'LessThanThreshold':
      return value < d.Threshold;
    default:
      return value <= d.Threshold;
  }
}

// CloudWatch writes datapoint times as dd/MM/yy HH:mm:ss in reasons.
function reasonTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}

const oneDecimal = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/**
 * Evaluates a metric alarm over its last `EvaluationPeriods` periods ending now (not at the last
 * whole period, so the local stack reacts within one evaluation) with CloudWatch's M-of-N rule and
 * TreatMissingData; `ignore` keeps the current state when every period is missing.
 */
export function evaluateAlarm(alarm: StoredAlarm, source: MetricSource, nowMs: number): AlarmVerdict {
  const d = alarm.definition;
  const periodMs = d.Period * 1000;
  const stat = d.ExtendedStatistic ?? d.Statistic ?? 'Average';
  const startMs = nowMs - d.EvaluationPeriods * periodMs;
  const samples =
    source.samples(
      {
        namespace: d.Namespace,
        metricName: d.MetricName,
        dimensions: d.Dimensions.map((x) => ({ name: x.Name, value: x.Value })),
      },
      startMs,
      nowMs,
    ) ?? [];
  const points: { atMs: number; value: number }[] = [];
  for (let i = 0; i < d.EvaluationPeriods; i++) {
    const from = startMs + i * periodMs;
    const values = samples
      .filter((s) => s.timestamp >= from && s.timestamp < from + periodMs)
      .map((s) => s.value);
    const value = statistic(values, stat);
    if (value !== undefined) points.push({ atMs: from, value });
  }
  const needed = d.DatapointsToAlarm ?? d.EvaluationPeriods;
  const missing = d.EvaluationPeriods - points.length;
  const treat = d.TreatMissingData ?? 'missing';
  const op = OPERATOR_TEXT[d.ComparisonOperator] ?? d.ComparisonOperator;
  if (points.length === 0) {
    const periods = `${d.EvaluationPeriods} period${d.EvaluationPeriods === 1 ? '' : 's'}`;
    if (treat === 'notBreaching' || treat === 'breaching') {
      const label = treat === 'breaching' ? 'Breaching' : 'NonBreaching';
      return {
        state: treat === 'breaching' ? 'ALARM' : 'OK',
        reason: `Threshold Crossed: no datapoints were received for ${periods} and ${missing} missing datapoint${missing === 1 ? ' was' : 's were'} treated as [${label}].`,
      };
    }
    if (treat === 'ignore') return { state: alarm.state, reason: alarm.stateReason };
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: no datapoints were received for ${periods}.`,
    };
  }
  const breaching = points.filter((p) => breaches(p.value, d)).length + (treat === 'breaching' ? missing : 0);
  const state: AlarmState = breaching >= needed ? 'ALARM' : 'OK';
  const list = points.map((p) => `${oneDecimal(p.value)} (${reasonTime(p.atMs)})`).join(', ');
  const shown = state === 'ALARM' ? breaching : points.length;
  const transition = state === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return {
    state,
    reason: `Threshold Crossed: ${shown} out of the last ${d.EvaluationPeriods} datapoints [${list}] was ${state === 'ALARM' ? '' : 'not '}${op} the threshold (${oneDecimal(d.Threshold)}) (minimum ${needed} datapoint${needed === 1 ? '' : 's'} for ${transition} transition).`,
  };
}

/** Options of {@link startAlarmEvaluator}. */
export interface AlarmEvaluatorOptions {
  readonly alarms: AlarmStore;
  readonly metrics: MetricSource;
  readonly notifier: AlarmNotifier;
  /** 10 s by default; 0 starts no timer (tests call `evaluateNow`). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** A running evaluator. */
export interface AlarmEvaluator {
  /** Evaluates every alarm once; returns the transitions (notified unless muted or actions disabled). */
  evaluateNow(): AlarmTransition[];
  stop(): void;
}

/**
 * Evaluates every alarm of the store on a timer, moves states OK ↔ ALARM (from INSUFFICIENT_DATA
 * at creation), and publishes the classic alarm message to the state's SNS actions unless an
 * active mute rule targets the alarm.
 */
export function startAlarmEvaluator(options: AlarmEvaluatorOptions): AlarmEvaluator {
  const now = options.now ?? Date.now;
  const { alarms } = options;
  const evaluateNow = (): AlarmTransition[] => {
    const transitions: AlarmTransition[] = [];
    const t = now();
    for (const alarm of alarms.list()) {
      const verdict = evaluateAlarm(alarm, options.metrics, t);
      if (verdict.state === alarm.state) continue;
      const transition: AlarmTransition = {
        alarm,
        oldState: alarm.state,
        newState: verdict.state,
        reason: verdict.reason,
        atMs: t,
      };
      alarm.state = verdict.state;
      alarm.stateReason = verdict.reason;
      alarm.stateUpdatedMs = t;
      transitions.push(transition);
      notify(transition, t);
    }
    return transitions;
  };
  const notify = (transition: AlarmTransition, t: number): void => {
    const d = transition.alarm.definition;
    if (d.ActionsEnabled === false || alarms.isMuted(d.AlarmName, t)) return;
    const actions =
      transition.newState === 'ALARM'
        ? d.AlarmActions
        : transition.newState === 'OK'
          ? d.OKActions
          : d.InsufficientDataActions;
    const message = classicAlarmMessage(transition, alarms.region, alarms.accountId);
    for (const topicArn of actions ?? []) {
      if (!topicArn.startsWith('arn:aws:sns:')) continue;
      try {
        options.notifier.publish(topicArn, message, alarmSubject(transition, alarms.region));
      } catch (error) {
        process.stderr.write(
          `local alarms: publishing ${d.AlarmName} to ${topicArn} failed: ${String(error)}\n`,
        );
      }
    }
  };
  const interval = options.intervalMs ?? 10_000;
  const timer = interval > 0 ? setInterval(() => evaluateNow(), interval) : undefined;
  timer?.unref();
  return { evaluateNow, stop: () => clearInterval(timer) };
}
