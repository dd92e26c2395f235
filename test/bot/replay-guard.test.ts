import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../src/bot/replay-guard';

describe('ReplayGuard', () => {
  it('refuses a signature+timestamp seen within the window', () => {
    const guard = new ReplayGuard(1000, () => 0);
    expect(guard.claim('v0=abc', '100')).toBe(true);
    expect(guard.claim('v0=abc', '100')).toBe(false);
    expect(guard.claim('v0=abc', '101')).toBe(true);
  });

  it('forgets claims older than the window and released ones', () => {
    let now = 0;
    const guard = new ReplayGuard(1000, () => now);
    guard.claim('v0=abc', '100');
    guard.claim('v0=def', '100');
    guard.release('v0=def', '100');
    now = 1001;
    expect(guard.claim('v0=abc', '100')).toBe(true);
    expect(guard.claim('v0=def', '100')).toBe(true);
  });
});
