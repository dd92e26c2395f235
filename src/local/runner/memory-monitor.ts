import { readFileSync } from 'node:fs';

/**
 * Watches a child process's resident memory and calls `onExceeded` once it goes over the limit, as
 * Lambda's sandbox kills a function that uses more than its memory size. Node has no API for
 * another process's RSS, so this reads `/proc/<pid>/status` (Linux); elsewhere it never fires.
 */
export interface MemoryMonitor {
  /** The highest RSS seen so far, in MB (0 when it cannot be read). */
  readonly peakMb: number;
  stop(): void;
}

const POLL_MS = 25;

/** Starts polling the RSS of `pid` every few ms. */
export function watchMemory(pid: number, limitMb: number, onExceeded: () => void): MemoryMonitor {
  let peakMb = 0;
  let fired = false;
  const timer = setInterval(() => {
    const rssMb = readRssMb(pid);
    if (rssMb === undefined) return;
    peakMb = Math.max(peakMb, rssMb);
    if (!fired && rssMb > limitMb) {
      fired = true;
      onExceeded();
    }
  }, POLL_MS);
  timer.unref();
  return {
    get peakMb() {
      return peakMb;
    },
    stop: () => clearInterval(timer),
  };
}

function readRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) / 1024);
  } catch {
    return undefined;
  }
}
