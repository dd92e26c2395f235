import { countRuntimeFindings, runtimeFindingBlocks } from '../runtime/runtime-error-view';
import { invocationFailures, type RuntimeFindings } from '../runtime/runtime-findings';
import {
  type Block,
  escapeMrkdwn,
  formatScan,
  mrkdwn,
  plain,
  type ScanSummary,
  type SlackMessage,
  truncate,
} from '../slack/block-kit';
import type { FailedTraces } from '../xray/trace-summaries';

import type { AffectedTrace, InvestigationSummary } from './investigate-report';
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
  const errorLines = summary.totals?.errorLines ?? summary.total;
  const traceCount = summary.totals?.traces ?? summary.traces.length;
  const untraced = summary.totals?.untracedLines ?? summary.withoutTrace;
  if (errorLines === 0 && summary.total === 0) {
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
        `:mag: *${errorLines}* error line(s) around *${name}*: ${traceCount} trace(s) affected` +
          (untraced > 0 ? `, ${untraced} line(s) without a trace id` : ''),
      ),
    },
  ];
  // The counts are exact (Logs Insights adds them up); the list is read from the newest lines only.
  if (errorLines > summary.total) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `Counts cover every error line in the window; the traces below come from the newest ${summary.total}.`,
        ),
      ],
    });
  }
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
  if (traceCount > shown.length) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`… and ${traceCount - shown.length} more traces`)],
    });
  }
  blocks.push(...xray, ...scan);
  const text = `${errorLines} error line(s) around ${escapeMrkdwn(options.alarmName)}; ${traceCount} trace(s) affected.${runtimeText}${xrayText}`;
  return { text, blocks };
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}
