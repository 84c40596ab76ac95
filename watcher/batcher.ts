/**
 * Groups items by key (the verifier: jobs by model) and hands a group over when it
 * holds `size` items, or `waitMs` after its first item arrived, whichever comes
 * first: a full batch goes at once, and a lone job waits no longer than the timer
 * (the latency from a wrong commit to the challenge stays bounded).
 */
export class Batcher<T> {
  private readonly groups = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly size: number,
    private readonly waitMs: number,
    private readonly flush: (key: string, items: T[]) => void,
  ) {}

  /** Items waiting in every group. */
  get pending(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.items.length;
    return n;
  }

  add(key: string, item: T): void {
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { items: [], timer: setTimeout(() => this.flushKey(key), this.waitMs) };
      this.groups.set(key, g);
    }
    g.items.push(item);
    if (g.items.length >= this.size) this.flushKey(key);
  }

  /** Drops every waiting item without handing it over (on shutdown: the jobs stay in the database). */
  clear(): T[] {
    const dropped: T[] = [];
    for (const g of this.groups.values()) {
      clearTimeout(g.timer);
      dropped.push(...g.items);
    }
    this.groups.clear();
    return dropped;
  }

  private flushKey(key: string): void {
    const g = this.groups.get(key);
    if (g === undefined) return;
    clearTimeout(g.timer);
    this.groups.delete(key);
    this.flush(key, g.items);
  }
}
