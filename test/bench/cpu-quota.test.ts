import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cfsQuotaFor,
  commandInGroup,
  cpuMaxLine,
  findCpuCgroupMount,
  lambdaCpuShare,
  parseCpuStat,
} from '../../bench/lib/cpu-quota';

describe('lambdaCpuShare', () => {
  it('gives one vCPU at 1,769 MB and scales in proportion to memory', () => {
    expect(lambdaCpuShare(1769)).toBe(1);
    expect(lambdaCpuShare(1536)).toBeCloseTo(0.868, 3);
    expect(lambdaCpuShare(3538)).toBe(2);
  });

  it('refuses a size Lambda does not offer', () => {
    expect(() => lambdaCpuShare(64)).toThrow(/not a Lambda memory size/);
    expect(() => lambdaCpuShare(10_241)).toThrow(/not a Lambda memory size/);
    expect(() => lambdaCpuShare(1024.5)).toThrow(/not a Lambda memory size/);
  });
});

describe('cfsQuotaFor', () => {
  it('turns a share into CPU microseconds per period', () => {
    expect(cfsQuotaFor(lambdaCpuShare(1536))).toEqual({ quotaUs: 86_829, periodUs: 100_000 });
    expect(cpuMaxLine(cfsQuotaFor(0.5, 20_000))).toBe('10000 20000');
  });

  it('never goes under the kernel minimum of 1 ms per period, and refuses a non-positive share', () => {
    expect(cfsQuotaFor(0.001).quotaUs).toBe(1_000);
    expect(() => cfsQuotaFor(0)).toThrow(/positive/);
  });
});

describe('findCpuCgroupMount', () => {
  const hybrid = [
    'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
    'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
    'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
  ].join('\n');

  it('prefers a v1 hierarchy with the cpu option (not cpuacct) in a hybrid layout', () => {
    expect(findCpuCgroupMount(hybrid)).toEqual({ version: 1, path: '/sys/fs/cgroup/cpu' });
  });

  it('finds a combined cpu,cpuacct hierarchy and a v2-only layout', () => {
    expect(findCpuCgroupMount('cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0')).toEqual({
      version: 1,
      path: '/sys/fs/cgroup/cpu,cpuacct',
    });
    expect(findCpuCgroupMount('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0')).toEqual({
      version: 2,
      path: '/sys/fs/cgroup',
    });
  });

  it('finds nothing without a cgroup mount', () => {
    expect(findCpuCgroupMount('proc /proc proc rw 0 0\n')).toBeUndefined();
  });
});

describe('parseCpuStat', () => {
  it('reads v1 counters (throttled_time in ns)', () => {
    expect(parseCpuStat('nr_periods 305\nnr_throttled 12\nthrottled_time 48000000\n')).toEqual({
      periods: 305,
      throttledPeriods: 12,
      throttledMs: 48,
    });
  });

  it('reads v2 counters (throttled_usec)', () => {
    const text = 'usage_usec 900\nnr_periods 10\nnr_throttled 3\nthrottled_usec 2500\n';
    expect(parseCpuStat(text)).toEqual({ periods: 10, throttledPeriods: 3, throttledMs: 2.5 });
  });
});

describe('commandInGroup', () => {
  it('writes the pid of the very process that then runs the command, arguments untouched', () => {
    // Arrange: a plain file stands in for the group's cgroup.procs.
    const dir = mkdtempSync(join(tmpdir(), 'gumshoe-cpu-quota-'));
    const procs = join(dir, 'cgroup.procs');
    writeFileSync(procs, '');
    const script = 'process.stdout.write(JSON.stringify([process.pid, process.argv.slice(1)]))';
    try {
      // Act
      const { command, args } = commandInGroup(procs, process.execPath, ['-e', script, 'a b', '$HOME']);
      const [pid, argv] = JSON.parse(execFileSync(command, args, { encoding: 'utf8' })) as [number, string[]];
      // Assert: exec kept the pid, so no CPU time of the command runs outside the group.
      expect(readFileSync(procs, 'utf8').trim()).toBe(String(pid));
      expect(argv).toEqual(['a b', '$HOME']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
