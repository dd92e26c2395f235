import {
  type Block,
  codeBlock,
  context,
  formatCount,
  formatScan,
  header,
  type SlackMessage,
  section,
} from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import type { CostReport } from './cost-report';

/** Dollars with enough digits for tiny Lambda bills (`$0.0042`, `$12.34`). */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A relative change as `+25 %`, `-3 %` or `new`. */
export function formatChange(change: number | undefined): string {
  if (change === undefined) return 'new';
  const pct = Math.round(change * 100);
  return `${pct > 0 ? '+' : ''}${pct} %`;
}

const MAX_ROWS = 40;
// A section holds 3000 characters; leave room for the fences and the "more" line.
const CODE_BUDGET = 2900;

/** The /cost answer: a monospace table per function (cost, change, invocations, GB-s, arch), the total and the change. */
export function costMessage(report: CostReport): SlackMessage {
  const blocks: Block[] = [
    header(`Lambda cost, last ${report.period.label}`),
    section(
      `*Total:* ${formatUsd(report.totalUsd)} (${formatChange(report.change)} vs the previous ${report.period.label}: ${formatUsd(report.previousTotalUsd)})\n${report.period.start.toISOString()} – ${report.period.end.toISOString()}`,
    ),
  ];
  if (report.functions.length === 0) {
    blocks.push(
      section('No REPORT line in this period: nothing ran, or the log groups are not the right ones.'),
    );
  } else {
    const width = Math.min(40, Math.max(8, ...report.functions.map((f) => f.functionName.length)));
    const head = `${'function'.padEnd(width)}  ${'cost'.padStart(10)}  ${'change'.padStart(7)}  ${'calls'.padStart(9)}  ${'GB-s'.padStart(10)}  ${'avg ms'.padStart(8)}  arch`;
    const lines: string[] = [head];
    // Add rows while they fit one code block, so the "more" line is never cut off.
    let used = head.length;
    let shown = 0;
    for (const f of report.functions.slice(0, MAX_ROWS)) {
      const change =
        f.previousUsd === undefined || f.previousUsd === 0
          ? undefined
          : (f.totalUsd - f.previousUsd) / f.previousUsd;
      const line = `${f.functionName.slice(0, width).padEnd(width)}  ${formatUsd(f.totalUsd).padStart(10)}  ${formatChange(change).padStart(7)}  ${formatCount(f.invocations).padStart(9)}  ${f.gbSeconds.toFixed(1).padStart(10)}  ${f.avgDurationMs.toFixed(0).padStart(8)}  ${f.architecture}`;
      if (used + line.length + 1 > CODE_BUDGET) break;
      lines.push(line);
      used += line.length + 1;
      shown += 1;
    }
    if (report.functions.length > shown) lines.push(`… and ${report.functions.length - shown} more`);
    blocks.push(codeBlock(lines.join('\n')));
  }
  blocks.push(
    context(
      'Duration billed per GB-s by architecture, plus requests; init is inside billed duration. Free tier not deducted.',
    ),
  );
  blocks.push(context(formatScan(report.scan)));
  return validateMessage(
    blocks,
    `Lambda cost, last ${report.period.label}: ${formatUsd(report.totalUsd)} (${formatChange(report.change)})`,
  );
}
