import {
  type Block,
  button,
  codeBlock,
  context,
  fields,
  formatScan,
  header,
  type SlackMessage,
  section,
} from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import { formatDuration } from '../time-window';
import type { HistogramBucket, LeadTimeReport } from './leadtime-report';

const BAR_WIDTH = 24;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A unicode bar of `value / max` × width characters, in eighths. */
export function bar(value: number, max: number, width: number = BAR_WIDTH): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? '');
}

const label = (ms: number) => (Number.isFinite(ms) ? formatDuration(ms) : '∞');

/** The histogram as monospace lines (`0 ms–500 ms │████ 12`), for a code block. */
export function formatHistogram(buckets: readonly HistogramBucket[]): string {
  const max = Math.max(0, ...buckets.map((b) => b.count));
  const names = buckets.map((b) =>
    Number.isFinite(b.toMs) ? `${label(b.fromMs)}–${label(b.toMs)}` : `≥ ${label(b.fromMs)}`,
  );
  const width = Math.max(...names.map((n) => n.length));
  return buckets
    .map((b, i) => `${(names[i] ?? '').padEnd(width)} │${bar(b.count, max)} ${b.count}`)
    .join('\n');
}

const ms = (v: number | undefined) => (v === undefined ? '–' : formatDuration(v));

/** The /leadtime answer as Block Kit; each slow trace has a button that runs /trace on it. */
export function leadTimeMessage(report: LeadTimeReport): SlackMessage {
  const lost = report.neverArrivedCount;
  const pair = report.pair;
  const between = pair ? `From \`${pair.from}\` to \`${pair.to}\`, ` : '';
  const blocks: Block[] = [
    header(`Lead time${pair?.flow ? ` of ${pair.flow}` : ''}, last ${report.window.label}`),
    section(`${between}${report.window.start.toISOString()} – ${report.window.end.toISOString()}`),
  ];
  if (report.count === 0 && lost === 0) {
    // "No session was created": the flow's name says what was not started.
    blocks.push(section(`No ${pair?.flow ?? 'session'} was created in this window.`));
  } else {
    blocks.push(
      fields([
        `*Traces*\n${report.count}`,
        `*p50*\n${ms(report.p50Ms)}`,
        `*p90*\n${ms(report.p90Ms)}`,
        `*p99*\n${ms(report.p99Ms)}`,
        `*max*\n${ms(report.maxMs)}`,
        `*Never arrived*\n${lost}${report.inFlight > 0 ? ` (${report.inFlight} maybe in flight)` : ''}`,
      ]),
    );
    if (report.count > 0) blocks.push(codeBlock(formatHistogram(report.histogram)));
    if (report.slowest.length > 0)
      blocks.push(
        section(
          `*Slowest traces*${report.count > report.slowest.length ? ` (the ${report.slowest.length} slowest of ${report.count})` : ''}`,
        ),
      );
    for (const t of report.slowest) {
      blocks.push(
        section(
          `\`${t.traceId}\` · *${formatDuration(t.leadTimeMs)}* · started ${t.startedAt.toISOString()}`,
          button('trace_run', 'Trace', { value: t.traceId }),
        ),
      );
    }
    if (lost > 0) {
      const shown = report.neverArrived.map((m) => `\`${m.traceId}\` (${m.startedAt.toISOString()})`);
      const more = lost - shown.length;
      blocks.push(
        section(
          `*Never reached${pair ? ` \`${pair.to}\`` : ' the end'}* (oldest first):\n${shown.join('\n')}${more > 0 ? `\nand ${more} more` : ''}`,
        ),
      );
    }
  }
  // The figures are Logs Insights' own aggregates over every trace: nothing is capped but the lists.
  if (report.count + lost > 0)
    blocks.push(
      context(
        'Figures cover every trace in the window (computed by Logs Insights); lists show the first 10.',
      ),
    );
  blocks.push(context(formatScan(report.scan)));
  const text = `Lead time, last ${report.window.label}: ${report.count} traces, p50 ${ms(report.p50Ms)}, p90 ${ms(report.p90Ms)}, ${lost} never arrived`;
  return validateMessage(blocks, text);
}
