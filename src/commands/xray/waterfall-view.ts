import {
  type Block,
  codeBlock,
  escapeMrkdwn,
  mrkdwn,
  plain,
  type SlackMessage,
  truncate,
} from '../slack/block-kit';
import { findFault } from './fault';
import type { TraceTree } from './trace-document';
import {
  findBottleneck,
  flattenTrace,
  formatDuration,
  nodeLabel,
  traceDurationMs,
  type WaterfallRow,
} from './waterfall';

/** How the waterfall is drawn. */
export interface WaterfallViewOptions {
  /** Region code of the trace, for the console link. */
  readonly region: string;
  /** Rows shown before "… and N more segments" (default 40). */
  readonly maxRows?: number;
  /** Width of the bar column in characters (default 40). */
  readonly barWidth?: number;
  /** Width of the name column in characters (default 40). */
  readonly nameWidth?: number;
}

/** Slack's limit on a section's text. */
const SECTION_LIMIT = 3000;

/** The CloudWatch console page of one trace. */
export function xrayTraceConsoleUrl(region: string, traceId: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#xray:traces/${encodeURIComponent(traceId)}`;
}

function flags(row: WaterfallRow): string {
  return [
    row.fault ? '✖' : '',
    row.error ? '⚠' : '',
    row.throttle ? '⏱' : '',
    row.inProgress ? '…' : '',
  ].join('');
}

/** A bar of `width` characters: █ where the row runs, ▏ when it is shorter than one character. */
export function drawBar(offsetMs: number, durationMs: number, totalMs: number, width: number): string {
  if (totalMs <= 0) return '▏'.padEnd(width, ' ');
  const scale = totalMs / width;
  const from = Math.min(width - 1, Math.floor(offsetMs / scale));
  const length = Math.min(width - from, Math.round(durationMs / scale));
  const body = length >= 1 ? '█'.repeat(length) : '▏';
  return (' '.repeat(from) + body).padEnd(width, ' ');
}

function rowLine(row: WaterfallRow, totalMs: number, nameWidth: number, barWidth: number): string {
  const indent = ' '.repeat(Math.min(row.depth, 8));
  const label = truncate(
    `${indent}${row.operation ? `${row.name} ${row.operation}` : row.name}`,
    nameWidth,
  ).padEnd(nameWidth, ' ');
  const offset = `+${formatDuration(row.startOffsetMs)}`.padStart(10, ' ');
  const duration = formatDuration(row.durationMs).padStart(9, ' ');
  return `${label} ${offset} ${duration} ${drawBar(row.startOffsetMs, row.durationMs, totalMs, barWidth)} ${flags(row)}`.trimEnd();
}

/** Packs lines into code blocks each within Slack's section limit. */
function codeSections(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let current: string[] = [];
  let size = 6; // the two fences
  const flush = () => {
    if (current.length > 0) blocks.push(codeBlock(current.join('\n')));
    current = [];
    size = 6;
  };
  for (const raw of lines) {
    const line = truncate(escapeMrkdwn(raw), SECTION_LIMIT - 8);
    if (size + line.length + 1 > SECTION_LIMIT) flush();
    current.push(line);
    size += line.length + 1;
  }
  flush();
  return blocks;
}

/** Builds the Slack message of a trace: header, monospace waterfall, the fault, the bottleneck and a console link. */
export function buildWaterfallMessage(tree: TraceTree, options: WaterfallViewOptions): SlackMessage {
  const maxRows = options.maxRows ?? 40;
  const barWidth = options.barWidth ?? 40;
  const nameWidth = options.nameWidth ?? 40;
  const url = xrayTraceConsoleUrl(options.region, tree.traceId);
  const linkButton: Block = {
    type: 'actions',
    block_id: 'xray_links',
    elements: [{ type: 'button', action_id: 'xray_console', text: plain('Open in the X-Ray console'), url }],
  };
  const rows = flattenTrace(tree);
  if (rows.length === 0) {
    const text = `No segments found for trace ${tree.traceId}: it may not be indexed yet, or the account uses Transaction Search.`;
    return { text, blocks: [{ type: 'section', text: mrkdwn(escapeMrkdwn(text)) }, linkButton] };
  }
  const total = traceDurationMs(tree);
  const shown = rows.slice(0, maxRows);
  const header = `${'segment'.padEnd(nameWidth, ' ')} ${'start'.padStart(10, ' ')} ${'duration'.padStart(9, ' ')} ${'timeline'.padEnd(barWidth, ' ')}`;
  const lines = [header.trimEnd(), ...shown.map((r) => rowLine(r, total, nameWidth, barWidth))];
  const bottleneck = findBottleneck(tree);
  const facts = [
    `${rows.length} segments`,
    rows.some((r) => r.fault) ? '✖ fault' : '',
    rows.some((r) => r.error) ? '⚠ error' : '',
    rows.some((r) => r.throttle) ? '⏱ throttled' : '',
    rows.some((r) => r.inProgress) ? '… in progress' : '',
    tree.limitExceeded ? 'trace too large: X-Ray dropped segments' : '',
    tree.skipped.length > 0 ? `${tree.skipped.length} unreadable segment document(s)` : '',
  ].filter(Boolean);
  const blocks: Block[] = [
    { type: 'header', text: plain(truncate(`Trace ${tree.traceId} · ${formatDuration(total)}`, 150)) },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(facts.join(' · ')))] },
    ...codeSections(lines),
  ];
  if (rows.length > shown.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(`… and ${rows.length - shown.length} more segments`)] });
  }
  // A failed trace: where it failed and why comes first, the slowest part second.
  const fault = findFault(tree);
  if (fault) {
    const label = nodeLabel(fault.node);
    const rest = fault.sentence.slice(label.length);
    blocks.push({
      type: 'section',
      text: mrkdwn(
        truncate(
          `${fault.kind === 'fault' ? ':x: Fault' : ':warning: Error'}: *${escapeMrkdwn(label)}*${escapeMrkdwn(rest)}`,
          SECTION_LIMIT,
        ),
      ),
    });
  }
  if (bottleneck) {
    const label = nodeLabel(bottleneck.node);
    const rest = bottleneck.sentence.slice(label.length);
    blocks.push({
      type: 'section',
      text: mrkdwn(
        truncate(`:mag: Bottleneck: *${escapeMrkdwn(label)}*${escapeMrkdwn(rest)}`, SECTION_LIMIT),
      ),
    });
  }
  blocks.push(linkButton);
  const text = [
    `Trace ${tree.traceId}: ${formatDuration(total)}.`,
    fault ? `${fault.kind === 'fault' ? 'Fault' : 'Error'}: ${fault.sentence}.` : '',
    bottleneck ? `Bottleneck: ${bottleneck.sentence}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { text, blocks };
}
