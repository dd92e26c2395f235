/**
 * Pure parts of the CPU-quota cold start: Lambda's CPU share at a memory size, the CFS quota that
 * enforces it, where the cgroup CPU controller is mounted, and how a child joins its group.
 */

/** Lambda gives one vCPU's worth of CPU time per second at this memory size, proportionally below and above. */
export const MB_PER_VCPU = 1769;
/** Lambda's memory bounds (MB). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;
/** CFS default period: the quota is CPU time per this many microseconds. */
export const CFS_PERIOD_US = 100_000;
// The kernel refuses a quota under 1 ms per period.
const CFS_MIN_QUOTA_US = 1_000;

/**
 * The vCPUs' worth of CPU time per second Lambda gives a function of `memoryMb`: 1 at 1,769 MB,
 * proportional ("Configure Lambda function memory", AWS Lambda developer guide).
 */
export function lambdaCpuShare(memoryMb: number): number {
  if (!Number.isInteger(memoryMb) || memoryMb < LAMBDA_MEMORY_MB.min || memoryMb > LAMBDA_MEMORY_MB.max) {
    throw new RangeError(
      `memory size ${memoryMb} MB is not a Lambda memory size (an integer from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max})`,
    );
  }
  return memoryMb / MB_PER_VCPU;
}

/** A CFS bandwidth limit: at most `quotaUs` of CPU time (all threads together) per `periodUs`. */
export interface CfsQuota {
  quotaUs: number;
  periodUs: number;
}

/** The CFS quota that gives a group `share` CPUs' worth of time. */
export function cfsQuotaFor(share: number, periodUs: number = CFS_PERIOD_US): CfsQuota {
  if (!(share > 0) || !Number.isFinite(share))
    throw new RangeError(`CPU share must be positive, got ${share}`);
  return { quotaUs: Math.max(CFS_MIN_QUOTA_US, Math.round(share * periodUs)), periodUs };
}

/** What cgroup v2's `cpu.max` takes for a quota: `"<quota> <period>"`. */
export function cpuMaxLine(quota: CfsQuota): string {
  return `${quota.quotaUs} ${quota.periodUs}`;
}

/** Where the CPU controller lives: a v1 `cpu` hierarchy, or the v2 unified tree. */
export type CpuCgroupMount = { version: 1; path: string } | { version: 2; path: string };

/**
 * Finds the CPU controller's mount in `/proc/self/mounts` text: a v1 hierarchy with the `cpu`
 * option wins (in a hybrid layout the v2 tree usually has no CPU controller), else the v2 mount.
 */
export function findCpuCgroupMount(mounts: string): CpuCgroupMount | undefined {
  let unified: CpuCgroupMount | undefined;
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options] = line.trim().split(/\s+/);
    if (mountPoint === undefined || options === undefined) continue;
    if (type === 'cgroup' && options.split(',').includes('cpu')) return { version: 1, path: mountPoint };
    if (type === 'cgroup2') unified ??= { version: 2, path: mountPoint };
  }
  return unified;
}

/** The throttling counters of a group's `cpu.stat` (v1: throttled_time in ns; v2: throttled_usec). */
export interface ThrottleStats {
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
}

/** Reads {@link ThrottleStats} from either version's `cpu.stat` text. */
export function parseCpuStat(text: string): ThrottleStats {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) fields.set(key, Number(value));
  }
  const throttledMs =
    fields.get('throttled_usec') !== undefined
      ? (fields.get('throttled_usec') ?? 0) / 1_000
      : (fields.get('throttled_time') ?? 0) / 1_000_000;
  return {
    periods: fields.get('nr_periods') ?? 0,
    throttledPeriods: fields.get('nr_throttled') ?? 0,
    throttledMs,
  };
}

/**
 * The command that runs `command args…` inside a cgroup from its first instruction: a shell
 * writes its own pid to the group's `cgroup.procs`, then execs the command in place, so no CPU
 * time of the child escapes the quota.
 */
export function commandInGroup(
  procsFile: string,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return {
    command: '/bin/sh',
    args: ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procsFile, command, ...args],
  };
}
