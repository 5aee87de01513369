// The header's fleet figures and the budgets table, from GET /api/v1/overview.
import { amount, compact, duration, el, hm, money, perHour } from './format.js';

const STATE_ORDER = ['running', 'paused', 'held', 'stopped', 'killed', 'idle', 'archived'];

function tile(label, value, sub, extra = {}) {
  return el('div', { class: 'tile', ...extra }, el('dt', {}, label), el('dd', {}, el('span', { class: 'tile-value' }, value), sub ? el('span', { class: 'tile-sub' }, sub) : ''));
}

function meter(ratio, level, label) {
  const pct = Math.round((ratio ?? 0) * 100);
  return el(
    'span',
    {
      class: `budget-track budget-${level}`,
      role: 'meter',
      'aria-label': label,
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': String(Math.min(Math.max(pct, 0), 100)),
      'aria-valuetext': `${pct}%`,
    },
    meterFill(pct),
  );
}

function meterFill(pct) {
  const fill = el('span', { class: 'budget-fill' });
  fill.style.width = `${Math.min(100, Math.max(0, pct))}%`;
  return fill;
}

/** Fills the header tiles (`#fleet-tiles`). */
export function renderTiles(list, o) {
  const tiles = [];
  if (o.fleetBudget) {
    const b = o.fleetBudget;
    tiles.push(
      el(
        'div',
        { class: `tile tile-budget budget-${b.level}`, id: 'tile-fleet' },
        el('dt', {}, `Fleet · ${b.policy}`),
        el(
          'dd',
          {},
          el('span', { class: 'tile-value' }, `${amount(b.spent, b.metric)} of ${amount(b.threshold, b.metric)}`),
          meter(b.ratio, b.level, `fleet budget ${b.policy}`),
          el('span', { class: 'tile-sub' }, b.window ? `window resets in ${duration(b.window.end - o.at)}` : 'all time'),
        ),
      ),
    );
  }
  tiles.push(tile('Today', money(o.today.cost), `${compact(o.today.tokens)} tokens since ${hm(o.today.since)}`, { id: 'tile-today' }));
  tiles.push(tile('Burn now', perHour(o.burn.costPerHour), `${compact(o.burn.tokensPerMinute)} tokens/min · last ${o.burn.minutes} min`, { id: 'tile-burn' }));
  const states = STATE_ORDER.filter((s) => (o.states[s] ?? 0) > 0 || ['running', 'paused', 'held', 'stopped'].includes(s));
  tiles.push(
    el(
      'div',
      { class: 'tile', id: 'tile-states' },
      el('dt', {}, `Sessions · ${o.sessions}`),
      el(
        'dd',
        {},
        el('ul', { class: 'state-counts' }, ...states.map((s) => el('li', { class: `state-count state-${s}`, 'data-state': s }, el('span', { class: 'count-n' }, String(o.states[s] ?? 0)), ` ${s}`))),
      ),
    ),
  );
  const down = o.sources.filter((s) => !s.up || !s.synced);
  tiles.push(
    tile(
      'Sources',
      down.length === 0 ? `${o.sources.length} up` : `${down.length} of ${o.sources.length} down`,
      o.sources
        .map((s) => `${s.name}: ${!s.up ? 'down' : s.synced ? 'synced' : 'syncing'}${s.guard ? `, guard ${s.guard.up ? 'up' : 'down'}${s.guard.problem ? ` (${s.guard.problem})` : ''}` : ''}`)
        .join(' · '),
      { id: 'tile-sources', class: `tile ${down.length > 0 ? 'tile-bad' : ''}` },
    ),
  );
  list.replaceChildren(...tiles);
}

/** Fills the budgets table body: one row per agent- or fleet-scope budget and subject. */
export function renderBudgets(body, empty, o) {
  empty.hidden = o.budgets.length > 0;
  body.replaceChildren(
    ...o.budgets.map((b) => {
      const pct = Math.round(b.ratio * 100);
      const state = b.level === 'handled' ? 'exceeded · handled' : b.level === 'over' ? 'exceeded' : b.level === 'unknown' ? 'not known yet' : `${pct}%`;
      const out = b.fires ? '—' : b.runsOutAt ? `${hm(b.runsOutAt)} (in ${duration(b.runsOutAt - o.at)})` : b.perHour > 0 ? 'lasts the window' : 'not spending';
      return el(
        'tr',
        { class: `budget-row budget-${b.level}`, 'data-policy': b.policy, 'data-subject': b.subject, 'data-level': b.level },
        el('th', { scope: 'row' }, el('span', { class: 'row-subject' }, b.subject), el('span', { class: 'row-policy' }, b.policy)),
        el(
          'td',
          { class: 'row-spend' },
          el('span', { class: 'row-amount' }, `${amount(b.spent, b.metric)} / ${amount(b.threshold, b.metric)}`),
          meter(b.ratio, b.level, `${b.policy} for ${b.subject}`),
          el('span', { class: 'row-state' }, state),
        ),
        el('td', { class: 'row-burn' }, b.metric === 'cost' ? perHour(b.perHour) : `${compact(b.perHour)}/h`),
        el('td', { class: 'row-reset' }, b.window ? duration(b.window.end - o.at) : 'never'),
        el('td', { class: 'row-out' }, out),
      );
    }),
  );
}
