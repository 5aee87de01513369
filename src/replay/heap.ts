/** A binary min-heap ordered by (time, seq): equal times come out in insertion order, so a replay is deterministic. */
export class TimeHeap<T> {
  #times: number[] = [];
  #seqs: number[] = [];
  #items: T[] = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  /** Time of the earliest item, or +Infinity when empty. */
  peekTime(): number {
    return this.#items.length > 0 ? this.#times[0]! : Number.POSITIVE_INFINITY;
  }

  push(time: number, item: T): void {
    const times = this.#times;
    const seqs = this.#seqs;
    const items = this.#items;
    let i = items.length;
    const seq = this.#seq++;
    times.push(time);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! < time || (times[parent] === time && seqs[parent]! < seq)) break;
      times[i] = times[parent]!;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const times = this.#times;
    const seqs = this.#seqs;
    const lastItem = items.pop()!;
    const lastTime = times.pop()!;
    const lastSeq = seqs.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (times[r]! < times[l]! || (times[r] === times[l] && seqs[r]! < seqs[l]!))) c = r;
        if (times[c]! > lastTime || (times[c] === lastTime && seqs[c]! > lastSeq)) break;
        times[i] = times[c]!;
        seqs[i] = seqs[c]!;
        items[i] = items[c]!;
        i = c;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      items[i] = lastItem;
    }
    return top;
  }
}
