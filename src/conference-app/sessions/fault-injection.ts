import { InjectedFaultError } from './errors';

/** Faults a function injects on purpose, all off by default. */
export interface FaultSettings {
  /** Delay added inside the save span (the seed's Thread.sleep incident). */
  saveDelayMs: number;
  /** Probability, 0..1, that a save throws InjectedFaultError. */
  saveErrorRate: number;
  /** Delay added before each webhook call of the notifier. */
  notifyLatencyMs: number;
}

/** No faults. */
export const NO_FAULTS: FaultSettings = { saveDelayMs: 0, saveErrorRate: 0, notifyLatencyMs: 0 };

/** A source of numbers in [0, 1), injectable so tests decide when a fault fires. */
export type Random = () => number;

/** Waits `ms` milliseconds (no-op at 0). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Throws InjectedFaultError with probability `rate`. */
export function maybeInjectError(rate: number, random: Random): void {
  if (rate > 0 && random() < rate) throw new InjectedFaultError();
}
