/**
 * Keeps the first `bound` items in a sort order without holding the rest: a binary heap whose root
 * is the item that sorts last. With an infinite bound it simply collects and sorts.
 */
export class TopK<T extends { readonly seq: number }> {
  private readonly heap: { item: T; keys: unknown[] }[] = [];

  constructor(
    private readonly bound: number,
    private readonly compareKeys: (a: never[], b: never[]) => number,
    private readonly keysOf: (item: T) => unknown[],
  ) {}

  /** Offers one item; it is kept only if it sorts before the current worst. */
  add(item: T): void {
    if (this.bound <= 0) return;
    const entry = { item, keys: this.keysOf(item) };
    if (!Number.isFinite(this.bound)) {
      this.heap.push(entry);
      return;
    }
    if (this.heap.length < this.bound) {
      this.heap.push(entry);
      this.siftUp(this.heap.length - 1);
      return;
    }
    const worst = this.heap[0];
    if (worst && this.compare(entry, worst) < 0) {
      this.heap[0] = entry;
      this.siftDown(0);
    }
  }

  /** The kept items, in order (ties by arrival). */
  sorted(): T[] {
    return this.heap.sort((a, b) => this.compare(a, b)).map((e) => e.item);
  }

  private compare(a: { item: T; keys: unknown[] }, b: { item: T; keys: unknown[] }): number {
    return this.compareKeys(a.keys as never[], b.keys as never[]) || a.item.seq - b.item.seq;
  }

  // Max-heap on `compare`: the parent sorts after its children.
  private siftUp(index: number): void {
    const h = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(h[i] as never, h[parent] as never) <= 0) return;
      [h[i], h[parent]] = [h[parent] as never, h[i] as never];
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const h = this.heap;
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let largest = i;
      if (l < h.length && this.compare(h[l] as never, h[largest] as never) > 0) largest = l;
      if (r < h.length && this.compare(h[r] as never, h[largest] as never) > 0) largest = r;
      if (largest === i) return;
      [h[i], h[largest]] = [h[largest] as never, h[i] as never];
      i = largest;
    }
  }
}
