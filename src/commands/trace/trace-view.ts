import { formatRuntimeFinding, type RuntimeFinding } from '../runtime/runtime-findings';
import {
  actions,
  type Block,
  button,
  codeBlock,
  context,
  escapeMrkdwn,
  formatScan,
  header,
  type SlackMessage,
  section,
  truncate,
} from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import { formatDuration } from '../time-window';
import type { TraceReport } from './trace-report';
import type { TraceLogs } from './trace-session';

/** Action ids the Slack edge listens for. */
export const TRACE_ACTIONS = {
  openXRay: 'xray_open',
  showLogs: 'trace_show_logs',
  runTrace: 'trace_run',
} as const;

const MAX_XRAY_BUTTONS = 3;
const MAX_OTHER_TRACE_BUTTONS = 5;

/** The CloudWatch console page of one X-Ray trace. */
export function xrayConsoleUrl(region: string, xrayTraceId: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#xray:traces/${encodeURIComponent(xrayTraceId)}`;
}

const hhmmss = (d: Date) => d.toISOString().slice(11, 23);
const code = (s: string) => `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``;

/** Renders the timeline as aligned monospace rows: time, delta, milestone, function, retries. */
export function formatTimeline(report: Extract<TraceReport, { kind: 'found' }>): string {
  if (report.timeline.length === 0) return 'No milestone was logged for this trace.';
  const width = Math.max(...report.timeline.map((e) => e.milestone.length));
  return report.timeline
    .map((e) => {
      const delta = e.deltaMs === null ? '' : `+${formatDuration(e.deltaMs)}`;
      const retries = e.occurrences > 1 ? `  ×${e.occurrences} (retried)` : '';
      return `${hhmmss(e.at)}  ${delta.padStart(10)}  ${e.milestone.padEnd(width)}  ${e.functionName}${retries}`;
    })
    .join('\n');
}

/** The function whose logs the "Show logs" button opens: the one that threw, else the last one that logged. */
function failingFunction(report: Extract<TraceReport, { kind: 'found' }>): string | undefined {
  return (
    report.missingReason?.functionName ??
    report.exception?.functionName ??
    report.timeline.at(-1)?.functionName ??
    report.missing[0]?.functionName
  );
}

/** The flow line: configured, learned (from how many traces), not learned yet, or none. */
function flowText(report: Extract<TraceReport, { kind: 'found' }>): string {
  const learned = report.learned;
  if (report.flow && learned?.outcome === 'flow')
    return `Flow ${code(report.flow)} learned from ${learned.traces} trace${learned.traces === 1 ? '' : 's'} of the last ${learned.windowLabel} (no config)`;
  if (report.flow) return `Flow ${code(report.flow)}`;
  if (learned?.outcome === 'failed')
    return `No config, and the flow could not be learned from the logs (${escapeMrkdwn(truncate(learned.reason, 200))}): milestones as logged`;
  if (learned?.outcome === 'none')
    return `No config, and no flow learned yet (from the last ${learned.windowLabel}'s traces older than ${Math.round(learned.inFlightMs / 60_000)} min): milestones as logged`;
  return 'No flow configured: milestones as logged';
}

/** The /trace answer as Block Kit, validated against Slack's limits. */
export function traceMessage(report: TraceReport): SlackMessage {
  if (report.kind === 'not_found') {
    const text = `No trace found for ${report.id}`;
    return validateMessage(
      [
        header('🔎 No trace found'),
        section(
          `No log line of the watched service mentions ${code(report.id)} in the last ${formatDuration(report.lookbackMs)}. Check the id, or the window the service keeps logs for.`,
        ),
        context(formatScan(report.scan)),
      ],
      text,
    );
  }

  const first = report.missing[0];
  const failed = report.exception !== undefined || report.runtimeFailures.length > 0;
  const status = failed ? '🔴 failed' : first ? '🟠 incomplete' : '🟢 complete';
  const blocks: Block[] = [
    header(`Trace ${report.traceId} ${status}`),
    section(
      `*Id:* ${code(report.id)}${report.id === report.traceId ? '' : ` → trace ${code(report.traceId)}`}\n*Window:* ${report.window.start.toISOString()} – ${report.window.end.toISOString()}`,
    ),
    ...(report.flow || report.matchedBy
      ? [
          context(
            `${flowText(report)}${report.matchedBy ? ` · found by ${escapeMrkdwn(report.matchedBy)}` : ''}`,
          ),
        ]
      : []),
    section('*Timeline*'),
    codeBlock(formatTimeline(report)),
  ];

  const fn = failingFunction(report);
  const logsButton = fn
    ? button(TRACE_ACTIONS.showLogs, `Show logs of ${fn}`, {
        value: JSON.stringify({
          traceId: report.traceId,
          functionName: fn,
          fromMs: report.window.start.getTime(),
          toMs: report.window.end.getTime(),
          ...(report.logsFlow ? { flow: report.logsFlow } : {}),
        }),
      })
    : undefined;

  if (first) {
    const rest = report.missing.slice(1).map((m) => code(m.milestone));
    blocks.push(
      section(
        `:warning: *First missing milestone:* ${code(first.milestone)}, expected from ${code(first.functionName)}${first.after ? ` after ${code(first.after)}` : ''}.${report.missingReason ? `\n*Why:* ${why(report.missingReason)}.` : ''}${rest.length > 0 ? `\nAlso missing: ${rest.join(', ')}.` : ''}${report.logsLookIncomplete ? '\n_Later milestones were logged, so the logs for this trace look incomplete._' : ''}`,
      ),
    );
  } else {
    blocks.push(section(':white_check_mark: Every expected milestone was logged.'));
  }

  blocks.push(...runtimeBlocks(report));
  if (report.exception) {
    const e = report.exception;
    const more = report.exceptionCount > 1 ? ` (first of ${report.exceptionCount})` : '';
    blocks.push(
      section(`*Exception* in ${code(e.functionName)}${more}: *${escapeMrkdwn(truncate(e.name, 200))}*`),
      codeBlock([e.message, ...e.stackTop].join('\n'), 2000),
    );
  }
  if (logsButton) blocks.push(actions([logsButton], 'trace_logs'));

  const xrays = report.xrayTraces;
  if (xrays.length > 0) {
    blocks.push(
      section(
        `*X-Ray:* ${xrays
          .slice(0, 10)
          .map(({ id }) => `<${xrayConsoleUrl(report.region, id)}|${escapeMrkdwn(id)}>`)
          .join(', ')}${xrays.length > 10 ? ` and ${xrays.length - 10} more` : ''}`,
      ),
    );
    xrays.slice(0, MAX_XRAY_BUTTONS).forEach(({ id, functions }, i) => {
      // Each hop (SQS, stream) starts its own X-Ray trace: the button says whose trace it opens.
      const whose = functions.length > 0 ? ` (${functions.join(', ')})` : '';
      blocks.push(
        actions(
          [
            button(TRACE_ACTIONS.openXRay, truncate(`Open X-Ray trace${whose}`, 75), {
              value: JSON.stringify({ xrayTraceId: id, region: report.region }),
              url: xrayConsoleUrl(report.region, id),
            }),
          ],
          `xray_${i}`,
        ),
      );
    });
  }

  if (report.otherTraces.length > 0) {
    // The lookup returns the newest traces only: say so when it hit its limit.
    const count = `${report.otherTraces.length}${report.otherTracesCapped ? '+' : ''}`;
    const capped = report.otherTracesCapped ? '; older ones were not looked up' : '';
    blocks.push(section(`*${count} other trace(s) for this id* (newest first${capped}):`));
    for (const t of report.otherTraces.slice(0, MAX_OTHER_TRACE_BUTTONS)) {
      blocks.push(
        section(
          `${code(t.traceId)} · first seen ${t.firstSeen.toISOString()} · ${t.lines} lines`,
          button(TRACE_ACTIONS.runTrace, 'Trace', { value: t.traceId }),
        ),
      );
    }
    if (report.otherTraces.length > MAX_OTHER_TRACE_BUTTONS) {
      blocks.push(context(`and ${report.otherTraces.length - MAX_OTHER_TRACE_BUTTONS} more`));
    }
  }

  blocks.push(context(formatScan(report.scan)));
  const reason = report.missingReason ?? report.runtimeFailures[0];
  const text = `Trace ${report.traceId}: ${status}${first ? `, first missing ${first.milestone}` : ''}${reason ? `, ${reason.functionName} ${reason.description}` : report.exception ? `, ${report.exception.name}` : ''}`;
  return validateMessage(blocks, text);
}

/** "`conference-create-session-lambda` timed out after 6.00 s (request …)": a runtime failure in a sentence. */
function why(f: RuntimeFinding): string {
  const request = f.requestId ? ` (request ${code(f.requestId)})` : '';
  return `${code(f.functionName)} ${escapeMrkdwn(truncate(f.description, 300))}${request}`;
}

/** What the Lambda runtime logged for the trace's requests, with the first error's stack when it has one. */
function runtimeBlocks(report: Extract<TraceReport, { kind: 'found' }>): Block[] {
  const failures = report.runtimeFailures;
  const capped = report.runtimeCapped
    ? [context(':warning: The runtime-error query hit its row cap; a failure of this trace may be missing.')]
    : [];
  if (failures.length === 0) return capped;
  const lines = failures.slice(0, 5).map((f) => `• ${escapeMrkdwn(truncate(formatRuntimeFinding(f), 280))}`);
  const more = failures.length > 5 ? `\n… and ${failures.length - 5} more` : '';
  const withStack = failures.find((f) => f.stackTop.length > 0);
  return [
    section(`:rotating_light: *Lambda runtime* (this trace's requests):\n${lines.join('\n')}${more}`),
    ...(withStack ? [codeBlock(withStack.stackTop.join('\n'), 1500)] : []),
    ...capped,
  ];
}

/** The "Show logs" answer: the function's lines in a code block, cut to fit. */
export function traceLogsMessage(logs: TraceLogs): SlackMessage {
  const body =
    logs.lines.length === 0
      ? 'No log line of this function mentions the trace in that window.'
      : logs.lines.map((l) => `${l.at} ${l.level.padEnd(5)} ${l.message.replace(/\s+/g, ' ')}`).join('\n');
  return validateMessage(
    [
      header(`Logs of ${logs.functionName}`),
      section(`Trace ${code(logs.traceId)} · ${logs.lines.length} line(s)`),
      codeBlock(body),
      context(formatScan(logs.scan)),
    ],
    `Logs of ${logs.functionName} for trace ${logs.traceId}`,
  );
}
