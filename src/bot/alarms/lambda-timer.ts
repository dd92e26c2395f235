import type { AlarmTimer } from '../../commands/alarms/ports';

/** The alarm path's time in Lambda: the system clock, real waits, and the invocation's deadline. */
export function lambdaTimer(context: { getRemainingTimeInMillis(): number }): AlarmTimer {
  return {
    nowMs: () => Date.now(),
    // The one real wait of the alarm path (pacing, 429s, enrichment deadlines); tests pass their own timer.
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
}
