/**
 * The cold start at Lambda's CPU share: each variant's bundle run by a fresh `node` (process start,
 * import, first response to a signed slash command) inside a cgroup whose CPU quota is Lambda's
 * share at the deployed memory size, interleaved with the baseline; medians and ratios.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { lambdaCpuShare, MB_PER_VCPU, type ThrottleStats } from './cpu-quota';
import { type CpuQuotaGroupResult, createCpuQuotaGroup } from './cpu-quota-group';
import { formatMs, median } from './stats';

/** One bundle to start cold, with what its process needs beyond the shared environment. */
export interface ColdStartVariant {
  label: string;
  /** A column heading for the estimates table. */
  short: string;
  bundle: string;
  /** Added to the shared environment; a variable set to undefined is removed from it. */
  env?: NodeJS.ProcessEnv;
}

/** Options of {@link measureColdStartAtShare}. */
export interface ColdStartAtShareOptions {
  /** The bundled cold runner (bench/lib/cold-runner.ts). */
  runner: string;
  /** The `node` binary the cold starts run on. */
  node: string;
  /** First the variant under test, then its baseline (ratios are first / second). */
  variants: readonly [ColdStartVariant, ColdStartVariant, ...ColdStartVariant[]];
  env: NodeJS.ProcessEnv;
  /** The deployed memory size: its share is the quota. */
  memoryMb: number;
  /** More memory sizes to estimate from CPU time (no runs of their own). */
  estimateMemoryMb: readonly number[];
  runs: number;
  targetMs: number;
  /** Unique among concurrent runs: the cgroup's name. */
  groupName: string;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

interface RunnerLine {
  status?: number;
  cpuAtResponseMs?: number;
}

/** Runs one cold start; wall time is from spawn to the runner's line, printed right after the first response. */
function coldStart(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answeredAt: number | undefined;
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // The handler may log before it; the runner's own line is the one that starts with its first field.
      if (answeredAt === undefined && /(^|\n)\{"bootMs":[^\n]*\n/.test(stdout))
        answeredAt = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let parsed: RunnerLine;
      try {
        parsed = JSON.parse(line) as RunnerLine;
      } catch {
        reject(new Error(`cold start exited ${code} without a result: ${stderr || stdout}`));
        return;
      }
      if (parsed.status !== 200 || parsed.cpuAtResponseMs === undefined || answeredAt === undefined) {
        reject(new Error(`cold start answered ${parsed.status ?? 'nothing'}: ${stderr}`));
        return;
      }
      resolve({ wallMs: answeredAt - started, cpuMs: parsed.cpuAtResponseMs });
    });
  });
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const verdict = (ms: number, targetMs: number) => (ms <= targetMs ? 'MET' : 'MISSED');

/** The figures of one run of {@link measureColdStartAtShare}. */
export interface ColdStartAtShareResult {
  lines: string[];
  /** Median CPU time ÷ share of the first variant at the deployed memory size. */
  cpuOverShareMs: number;
  /** Median wall time under the quota (or unthrottled, if no quota could be set). */
  wallMs: number;
}

type Samples = Map<string, Sample[]>;

/** Runs each variant once (discarded), then `runs` rounds in rotating order, inside the group if any. */
async function collectSamples(
  options: ColdStartAtShareOptions,
  created: CpuQuotaGroupResult,
): Promise<Samples> {
  const samples: Samples = new Map(options.variants.map((v) => [v.label, []]));
  const run = (variant: ColdStartVariant) => {
    const plain = { command: options.node, args: [options.runner, variant.bundle] };
    const { command, args } = created.ok ? created.group.wrap(plain.command, plain.args) : plain;
    // A variable set to undefined in the variant's env is left out of the child's.
    const env = Object.fromEntries(
      Object.entries({ ...options.env, ...variant.env }).filter(([, value]) => value !== undefined),
    );
    return coldStart(command, args, env);
  };
  // One discarded start each, so the page cache is the only warmth; then rounds in rotating order.
  for (const variant of options.variants) await run(variant);
  for (let round = 0; round < options.runs; round += 1) {
    const shift = round % options.variants.length;
    const order = [...options.variants.slice(shift), ...options.variants.slice(0, shift)];
    for (const variant of order) samples.get(variant.label)?.push(await run(variant));
  }
  return samples;
}

/** The table of medians at the quota, the throttling, and the estimates at other memory sizes. */
function reportLines(
  options: ColdStartAtShareOptions,
  samples: Samples,
  created: CpuQuotaGroupResult,
  throttle: ThrottleStats | undefined,
): ColdStartAtShareResult {
  const share = lambdaCpuShare(options.memoryMb);
  const medianOf = (label: string, pick: (s: Sample) => number) =>
    median((samples.get(label) ?? []).map(pick));
  const [subject, baseline] = options.variants;
  const wall = (label: string) => medianOf(label, (s) => s.wallMs);
  const cpu = (label: string) => medianOf(label, (s) => s.cpuMs);
  const quotaText = created.ok
    ? `a real CPU quota (${created.group.description})`
    : `NO CPU quota (${created.reason}): wall times are unthrottled; use CPU ÷ share`;
  const lines = [
    `Cold start at Lambda's CPU share: ${options.memoryMb} MB → ${share.toFixed(3)} vCPU (1 vCPU at ${MB_PER_VCPU} MB), ${quotaText}`,
    `A fresh node per run: process start, import, first response to a signed /trace; ${options.runs} interleaved runs per variant after one discarded run each; medians`,
    `| ${'variant'.padEnd(40)} | ${'wall to 1st response'.padStart(20)} | ${'CPU time'.padStart(9)} | ${'CPU ÷ share'.padStart(11)} |`,
    `|${'-'.repeat(42)}|${'-'.repeat(22)}|${'-'.repeat(11)}|${'-'.repeat(13)}|`,
  ];
  for (const variant of options.variants) {
    lines.push(
      `| ${variant.label.padEnd(40)} | ${formatMs(wall(variant.label)).padStart(20)} | ${formatMs(cpu(variant.label)).padStart(9)} | ${formatMs(cpu(variant.label) / share).padStart(11)} |`,
    );
  }
  lines.push(
    `${subject.label} / ${baseline.label}: wall ${ratio(wall(subject.label), wall(baseline.label))}, CPU ${ratio(cpu(subject.label), cpu(baseline.label))}`,
  );
  if (throttle) {
    const bit = throttle.throttledPeriods > 0;
    lines.push(
      `The quota throttled the group in ${throttle.throttledPeriods} of ${throttle.periods} periods (${formatMs(throttle.throttledMs)} in all)${bit ? '' : ": it never bit, the machine's other load kept the process under its share"}.`,
    );
  }
  lines.push(
    "CPU ÷ share is what the first response would take if the process got exactly its share and never waited on the machine's other load; wall under the quota also waits on that load.",
    '',
    `Estimated from the same CPU times (CPU ÷ share) at other memory sizes; target ≤ ${formatMs(options.targetMs)}`,
  );
  const sizes = [...new Set([...options.estimateMemoryMb, options.memoryMb])].sort((a, b) => a - b);
  const columns = options.variants.map((v) => v.short.padStart(12));
  lines.push(
    `| ${'memory'.padEnd(26)} | ${columns.join(' | ')} |`,
    `|${'-'.repeat(28)}|${columns.map(() => '-'.repeat(14)).join('|')}|`,
  );
  for (const memoryMb of sizes) {
    const at = lambdaCpuShare(memoryMb);
    const label = `${memoryMb} MB (${at.toFixed(3)} vCPU)${memoryMb === options.memoryMb ? ' ←' : ''}`;
    const cells = options.variants.map((v) => formatMs(cpu(v.label) / at).padStart(12));
    lines.push(`| ${label.padEnd(26)} | ${cells.join(' | ')} |`);
  }
  lines.push(`Columns: ${options.variants.map((v) => `${v.short} = ${v.label}`).join('; ')}.`);
  const cpuOverShareMs = cpu(subject.label) / share;
  const wallMs = wall(subject.label);
  lines.push(
    '',
    `Target: first response ≤ ${formatMs(options.targetMs)} at ${options.memoryMb} MB: ${subject.label} CPU ÷ share ${formatMs(cpuOverShareMs)} → ${verdict(cpuOverShareMs, options.targetMs)}; wall under the ${created.ok ? 'quota' : 'no quota'} ${formatMs(wallMs)} → ${verdict(wallMs, options.targetMs)}`,
  );
  return { lines, cpuOverShareMs, wallMs };
}

/**
 * Measures each variant's cold start under Lambda's CPU share at `memoryMb`. With a writable cgroup
 * the quota is real; without one the wall times are unthrottled and said so, and CPU time ÷ share
 * (robust to the machine's load) is the estimate either way.
 */
export async function measureColdStartAtShare(
  options: ColdStartAtShareOptions,
): Promise<ColdStartAtShareResult> {
  const created = createCpuQuotaGroup(options.groupName, lambdaCpuShare(options.memoryMb));
  let throttle: ThrottleStats | undefined;
  try {
    const samples = await collectSamples(options, created);
    if (created.ok) throttle = created.group.stats();
    return reportLines(options, samples, created, throttle);
  } finally {
    if (created.ok) created.group.close();
  }
}
