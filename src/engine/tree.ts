import type { Session, Usage } from '../domain/session.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';

/**
 * Who spawned whom among one evaluation's sessions (`Session.parent`), built on first use. A session's tree is the
 * session and every session it spawned, transitively; a parent outside the evaluated sessions links nothing.
 */
export class SpawnTree {
  #children: Map<string, Session[]> | undefined;

  constructor(private readonly sessions: readonly Session[]) {}

  /** Every session `root` spawned, transitively, each once (depth first). */
  descendants(root: Session): Session[] {
    const children = (this.#children ??= index(this.sessions));
    const out: Session[] = [];
    const seen = new Set<string>([root.key]);
    const walk = (key: string): void => {
      for (const child of children.get(`${root.source}\u0000${key}`) ?? []) {
        if (seen.has(child.key)) continue;
        seen.add(child.key);
        out.push(child);
        walk(child.key);
      }
    };
    walk(root.key);
    return out;
  }
}

function index(sessions: readonly Session[]): Map<string, Session[]> {
  const map = new Map<string, Session[]>();
  for (const s of sessions) {
    if (s.parent === undefined) continue;
    const id = `${s.source}\u0000${s.parent}`;
    const list = map.get(id);
    if (list) list.push(s);
    else map.set(id, [s]);
  }
  return map;
}

const add = (a: Usage, b: Readonly<Usage>): void => {
  a.input += b.input;
  a.output += b.output;
  a.cacheRead += b.cacheRead;
  a.cacheWrite += b.cacheWrite;
  a.cost += b.cost;
};
const zero = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
const min = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
const max = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/**
 * The usage of a session's tree as one view: its own current generation plus each descendant's current generation.
 * Unknown when the root's or any descendant's usage is unknown (a descendant the ledger has no entry for yet has spent
 * nothing it could count); undefined when the root has no usage entry, as for the session alone.
 */
export function treeUsage(own: SessionUsageView | undefined, descendants: readonly Session[], ledger: LedgerView): SessionUsageView | undefined {
  if (!own || descendants.length === 0) return own;
  const parts: SessionUsageView[] = [own];
  for (const d of descendants) {
    const u = ledger.session(d.source, d.key, d.generation);
    if (u) parts.push(u);
  }
  const totals = zero();
  let calls = 0;
  let known = true;
  let lastCallAt: number | undefined;
  let baselineAt: number | undefined;
  let firstUsageAt: number | undefined;
  let lastUsageAt: number | undefined;
  for (const p of parts) {
    add(totals, p.totals);
    calls += p.calls;
    known &&= p.known;
    lastCallAt = max(lastCallAt, p.lastCallAt);
    baselineAt = max(baselineAt, p.baselineAt);
    firstUsageAt = min(firstUsageAt, p.firstUsageAt);
    lastUsageAt = max(lastUsageAt, p.lastUsageAt);
  }
  return {
    source: own.source,
    key: own.key,
    generation: own.generation,
    agent: own.agent,
    totals,
    calls,
    known,
    ...(lastCallAt !== undefined ? { lastCallAt } : {}),
    ...(baselineAt !== undefined ? { baselineAt } : {}),
    ...(firstUsageAt !== undefined ? { firstUsageAt } : {}),
    ...(lastUsageAt !== undefined ? { lastUsageAt } : {}),
    between: (from, to) => {
      const sum = zero();
      for (const p of parts) add(sum, p.between(from, to));
      return sum;
    },
  };
}
