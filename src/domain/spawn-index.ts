/**
 * Who spawned whom, kept beside a map of sessions so that a parent's children are found without scanning every
 * session (a stop or kill plans its cascade once per decision and evaluation; a scan made that quadratic in replay).
 * Ids are whatever the owner keys its sessions by; a child names its parent by the same kind of id.
 */
export class SpawnIndex {
  readonly #children = new Map<string, Set<string>>();
  readonly #parentOf = new Map<string, string>();

  /** Records (or moves, or with no parent forgets) the parent of `id`. */
  set(id: string, parent: string | undefined): void {
    const before = this.#parentOf.get(id);
    if (before === parent) return;
    if (before !== undefined) this.#unlink(id, before);
    if (parent === undefined) return;
    this.#parentOf.set(id, parent);
    let set = this.#children.get(parent);
    if (!set) this.#children.set(parent, (set = new Set()));
    set.add(id);
  }

  /** Forgets `id` as a child (its own children keep naming it: they are found again if it comes back). */
  delete(id: string): void {
    const before = this.#parentOf.get(id);
    if (before !== undefined) this.#unlink(id, before);
  }

  clear(): void {
    this.#children.clear();
    this.#parentOf.clear();
  }

  /** The ids whose parent is `parent`, in the order they were first linked. */
  childrenOf(parent: string): readonly string[] {
    const set = this.#children.get(parent);
    return set ? [...set] : [];
  }

  #unlink(id: string, parent: string): void {
    this.#parentOf.delete(id);
    const set = this.#children.get(parent);
    set?.delete(id);
    if (set?.size === 0) this.#children.delete(parent);
  }
}
