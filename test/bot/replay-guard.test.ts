import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../src/bot/replay-guard';
import type { ClaimStore } from '../../src/commands/ports';

const SIG = 'a'.repeat(64);

/** A shared store in memory, recording each claim it was asked for. */
class RecordingClaimStore implements ClaimStore {
  readonly claims = new Map<string, number>();
  readonly asked: string[] = [];
  failNext = false;
  async claim(key: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean> {
    this.asked.push(key);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store down');
    }
    const held = this.claims.get(key);
    if (held !== undefined && held >= nowSeconds) return false;
    this.claims.set(key, expiresAtSeconds);
    return true;
  }
}

describe('ReplayGuard', () => {
  it('lets a timestamp+signature run once, keyed on the parsed values', async () => {
    const guard = new ReplayGuard();
    expect(await guard.claim(1000, SIG, 1000)).toBe(true);
    expect(await guard.claim(1000, SIG, 1001)).toBe(false);
    expect(await guard.claim(1001, SIG, 1001)).toBe(true);
  });

  it('remembers a claim until its timestamp leaves the ±300 s window', async () => {
    const guard = new ReplayGuard();
    await guard.claim(1000, SIG, 1000);
    expect(await guard.claim(1000, SIG, 1300)).toBe(false);
    expect(await guard.claim(1000, SIG, 1302)).toBe(true); // the signature check refuses it by then
  });

  it('asks the shared store once per key and answers repeats from memory', async () => {
    const store = new RecordingClaimStore();
    const guard = new ReplayGuard(store);
    const results = await Promise.all([guard.claim(1000, SIG, 1000), guard.claim(1000, SIG, 1000)]);
    expect(results.sort()).toEqual([false, true]);
    expect(store.asked).toEqual([`replay#1000#${SIG}`]);
    expect(store.claims.get(`replay#1000#${SIG}`)).toBe(1301);
  });

  it('refuses what another environment claimed, and forgets a claim whose store write failed', async () => {
    const store = new RecordingClaimStore();
    await new ReplayGuard(store).claim(1000, SIG, 1000);
    const other = new ReplayGuard(store);
    expect(await other.claim(1000, SIG, 1000)).toBe(false);

    store.failNext = true;
    await expect(other.claim(2000, SIG, 2000)).rejects.toThrow('store down');
    expect(await other.claim(2000, SIG, 2000)).toBe(true);
  });
});
