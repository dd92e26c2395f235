import type { ClaimOutcome, DeliveryLedger } from '../../src/conference-app/sessions/ports';
import type { RetryTimer } from '../../src/conference-app/sessions/retry';

/** An in-memory delivery ledger with the DynamoDB one's rules (claims lapse after their lease). */
export class InMemoryDeliveryLedger implements DeliveryLedger {
  readonly entries = new Map<string, { status: 'IN_PROGRESS' | 'COMPLETED'; leaseUntil: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, leaseMs: number): Promise<ClaimOutcome> {
    const entry = this.entries.get(key);
    if (entry?.status === 'COMPLETED') return 'delivered';
    if (entry && entry.leaseUntil >= this.now()) return 'in-progress';
    this.entries.set(key, { status: 'IN_PROGRESS', leaseUntil: this.now() + leaseMs });
    return 'claimed';
  }

  async complete(key: string): Promise<void> {
    this.entries.set(key, { status: 'COMPLETED', leaseUntil: 0 });
  }

  async completeAll(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.complete(key);
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.status === 'IN_PROGRESS') this.entries.delete(key);
  }
}

/** A clock that only moves when something sleeps on it: retries take no wall-clock time in tests. */
export class ManualTimer implements RetryTimer {
  readonly sleeps: number[] = [];

  constructor(public nowMs = 0) {}

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.nowMs += ms;
  }
}
