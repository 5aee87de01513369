/**
 * A small seeded PRNG (mulberry32). Each simulated session owns one, seeded from the fleet seed and its key, so a
 * session's story does not depend on how the others interleave or on how finely the clock is stepped.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(range: readonly [number, number]): number {
    const [min, max] = range;
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A UUID-shaped id (version 4 layout), like OpenClaw's `sessionId` and `runId`. */
  uuid(): string {
    const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(this.next() * 16).toString(16)).join('');
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }
}

/** Derives a session's seed from the fleet seed and its key (FNV-1a), so adding sessions never reshuffles others. */
export function seedFor(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
