/**
 * A cgroup with a CFS CPU quota that benchmark children run inside, so a cold start gets the CPU
 * time per second Lambda would give it. Needs a writable cgroup CPU controller (root in a container
 * with cgroup v1, or a delegated v2 subtree); when there is none, the caller falls back to CPU time.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CfsQuota,
  type CpuCgroupMount,
  cfsQuotaFor,
  commandInGroup,
  cpuMaxLine,
  findCpuCgroupMount,
  parseCpuStat,
  type ThrottleStats,
} from './cpu-quota';

/** A cgroup the benchmark created, holding a CPU quota. */
export interface CpuQuotaGroup {
  /** How the quota is enforced, for the report (`cgroup v1 cpu.cfs_quota_us …`). */
  description: string;
  quota: CfsQuota;
  /** Wraps a command so that it runs inside the group from its start. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** The group's throttling counters so far. */
  stats(): ThrottleStats;
  /** Removes the group (its processes must have exited). */
  close(): void;
}

/** A group, or why none could be made. */
export type CpuQuotaGroupResult = { ok: true; group: CpuQuotaGroup } | { ok: false; reason: string };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function setUpGroup(mount: CpuCgroupMount, dir: string, quota: CfsQuota): string {
  if (mount.version === 1) {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(quota.periodUs));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota.quotaUs));
    return `cgroup v1 ${dir}: cpu.cfs_quota_us=${quota.quotaUs} per cpu.cfs_period_us=${quota.periodUs}`;
  }
  // v2: the controller must be enabled for the children of the parent before cpu.max exists.
  if (!existsSync(join(dir, 'cpu.max'))) {
    writeFileSync(join(mount.path, 'cgroup.subtree_control'), '+cpu');
  }
  writeFileSync(join(dir, 'cpu.max'), cpuMaxLine(quota));
  return `cgroup v2 ${dir}: cpu.max="${cpuMaxLine(quota)}"`;
}

/**
 * Creates a cgroup named `name` under the CPU controller with a quota of `share` CPUs, or says why
 * it cannot (no controller, not writable).
 */
export function createCpuQuotaGroup(name: string, share: number): CpuQuotaGroupResult {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch (error) {
    return { ok: false, reason: `cannot read /proc/self/mounts: ${errorText(error)}` };
  }
  const mount = findCpuCgroupMount(mounts);
  if (!mount) return { ok: false, reason: 'no cgroup CPU controller is mounted' };
  const dir = join(mount.path, name);
  const quota = cfsQuotaFor(share);
  let description: string;
  try {
    mkdirSync(dir);
  } catch (error) {
    return { ok: false, reason: `cannot create ${dir}: ${errorText(error)}` };
  }
  try {
    description = setUpGroup(mount, dir, quota);
  } catch (error) {
    rmdirSync(dir);
    return { ok: false, reason: `cannot set a CPU quota on ${dir}: ${errorText(error)}` };
  }
  const procsFile = join(dir, 'cgroup.procs');
  return {
    ok: true,
    group: {
      description,
      quota,
      wrap: (command, args) => commandInGroup(procsFile, command, args),
      stats: () => parseCpuStat(readFileSync(join(dir, 'cpu.stat'), 'utf8')),
      close: () => rmdirSync(dir),
    },
  };
}
