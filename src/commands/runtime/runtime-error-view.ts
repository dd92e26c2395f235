import { type Block, escapeMrkdwn, mrkdwn, truncate } from '../slack/block-kit';
import { formatRuntimeFinding, type RuntimeFinding, type RuntimeFindings } from './runtime-findings';

/** Findings listed in a message; the rest are counted. */
const MAX_SHOWN = 8;

const KIND_WORDS: Record<RuntimeFinding['kind'], string> = {
  out_of_memory: 'out of memory',
  timeout: 'timed out',
  init_timeout: 'init timed out',
  init_failure: 'failed at init',
  unhandled_rejection: 'unhandled rejection',
  uncaught_exception: 'uncaught exception',
  runtime_error: 'runtime error',
  error_line: 'error line',
};

/** "3 timed out, 1 out of memory": the findings counted by kind, gravest first. */
export function countRuntimeFindings(findings: readonly RuntimeFinding[]): string {
  const counts = new Map<RuntimeFinding['kind'], number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return (Object.keys(KIND_WORDS) as RuntimeFinding['kind'][])
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${KIND_WORDS[k]}`)
    .join(', ');
}

/**
 * The "Lambda runtime" part of an answer: what the runtime itself logged (timeouts, crashes,
 * out-of-memory kills, init failures), newest first, each with its function and request id.
 */
export function runtimeFindingBlocks(runtime: RuntimeFindings): Block[] {
  const failures = runtime.findings.filter((f) => f.kind !== 'error_line');
  if (failures.length === 0) return [];
  const newest = [...failures].reverse();
  const lines = newest
    .slice(0, MAX_SHOWN)
    .map((f) => `• ${escapeMrkdwn(truncate(formatRuntimeFinding(f), 280))}`);
  const more = failures.length > MAX_SHOWN ? `\n… and ${failures.length - MAX_SHOWN} more` : '';
  const capped = runtime.capped ? ' (capped: the query hit its row limit, older failures are not shown)' : '';
  return [
    {
      type: 'section',
      text: mrkdwn(
        `:rotating_light: *Lambda runtime:* ${countRuntimeFindings(failures)}${capped}\n${lines.join('\n')}${more}`,
      ),
    },
  ];
}
