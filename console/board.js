// Which session cards show, in what order: sorting (risk first by default), filters and paging, on the served views.

/** Cards per page: enough for a whole team, few enough that a 1,000-session fleet stays smooth. */
export const PAGE_SIZE = 48;

const TIERS = { over: 3, handled: 2, warn: 1 };

/** How a session stands against its policies, from the verdicts as served: tier (3 over, 2 handled, 1 warn, 0 ok) and the closest ratio. */
export function risk(view) {
  let tier = 0;
  let ratio = 0;
  for (const v of view.verdicts ?? []) {
    tier = Math.max(tier, TIERS[v.level] ?? 0);
    if (typeof v.ratio === 'number' && Number.isFinite(v.ratio)) ratio = Math.max(ratio, v.ratio);
  }
  return { tier, ratio };
}

function burn(view) {
  return view.burn?.costPerHour ?? 0;
}

function burnTokens(view) {
  return view.burn?.tokensPerMinute ?? 0;
}

const byKey = (a, b) => a.session.key.localeCompare(b.session.key);

/** Risk: over a threshold first (not yet handled, then handled), then the nearest to one, then the fastest burning. */
function byRisk(a, b) {
  const ra = risk(a);
  const rb = risk(b);
  if (ra.tier !== rb.tier) return rb.tier - ra.tier;
  if (ra.tier >= TIERS.handled) return burn(b) - burn(a) || burnTokens(b) - burnTokens(a) || rb.ratio - ra.ratio || byKey(a, b);
  return rb.ratio - ra.ratio || burn(b) - burn(a) || burnTokens(b) - burnTokens(a) || byKey(a, b);
}

/** The sort orders offered, by the value of the Sort control. */
export const SORTS = {
  risk: { label: 'risk', compare: byRisk },
  burn: { label: 'burn rate', compare: (a, b) => burn(b) - burn(a) || burnTokens(b) - burnTokens(a) || byKey(a, b) },
  cost: { label: 'cost', compare: (a, b) => (b.usage?.cost ?? 0) - (a.usage?.cost ?? 0) || byKey(a, b) },
  tokens: { label: 'tokens', compare: (a, b) => (b.usage?.total ?? 0) - (a.usage?.total ?? 0) || byKey(a, b) },
  idle: { label: 'idle time', compare: (a, b) => (b.idleMs ?? -1) - (a.idleMs ?? -1) || byKey(a, b) },
  agent: { label: 'agent', compare: (a, b) => a.session.agent.localeCompare(b.session.agent) || byKey(a, b) },
};

/** The views that pass the filters, in the chosen order. */
export function arrange(views, { sort = 'risk', agent = '', state = '', attention = false } = {}) {
  const compare = (SORTS[sort] ?? SORTS.risk).compare;
  return views.filter((v) => (!agent || v.session.agent === agent) && (!state || v.state === state) && (!attention || risk(v).tier > 0)).sort(compare);
}

/** One page of an arranged list: the slice, the page actually shown (clamped) and the page count. */
export function page(list, wanted) {
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  const at = Math.min(Math.max(0, wanted), pages - 1);
  return { items: list.slice(at * PAGE_SIZE, (at + 1) * PAGE_SIZE), page: at, pages, first: list.length === 0 ? 0 : at * PAGE_SIZE + 1, last: Math.min(list.length, (at + 1) * PAGE_SIZE) };
}
