// One card per session: built once, then updated in place so focus, dialogs and scroll survive live updates.
import { budgetLevel, duration, el, money, tokens } from './format.js';

export const ACTIONS = ['stop', 'kill', 'pause', 'resume'];
const ACTION_LABELS = { stop: 'Stop', kill: 'Kill', pause: 'Pause', resume: 'Resume' };
const ACTION_HINTS = {
  stop: 'End the current run; the session stays usable',
  kill: 'End the run and its queued work; nothing new starts until resumed',
  pause: 'Block new work until resumed',
  resume: 'Undo a pause or kill by clawwarden',
};

/** Whether an action applies to a session now: the daemon decides (state and source capabilities) and serves it as `can`. */
export function actionAllowed(view, action) {
  return Array.isArray(view.can) && view.can.includes(action);
}

function fact(name, className) {
  const value = el('dd', { class: className });
  return { node: [el('dt', {}, name), value], value };
}

/** A new, empty card for `key`; `onAction(action, key)` runs when a button is pressed. */
export function createCard(key, onAction) {
  const id = `card-${Math.random().toString(36).slice(2, 10)}`;
  const agent = el('span', { class: 'agent' });
  const state = el('span', { class: 'state' });
  const title = el('h3', { class: 'key', id }, key);
  const facts = {
    model: fact('Model', 'model'),
    input: fact('Tokens in', 'tokens-in'),
    output: fact('Tokens out', 'tokens-out'),
    total: fact('Tokens total', 'tokens-total'),
    cost: fact('Cost', 'cost'),
    idle: fact('Idle', 'idle'),
  };
  const budgets = el('div', { class: 'budgets' });
  const note = el('p', { class: 'note', hidden: true });
  const buttons = {};
  const actions = el('div', { class: 'actions' });
  for (const action of ACTIONS) {
    const button = el('button', { type: 'button', class: `action action-${action}`, 'data-action': action, 'aria-label': `${ACTION_LABELS[action]} session ${key}`, title: ACTION_HINTS[action] }, ACTION_LABELS[action]);
    button.addEventListener('click', () => onAction(action, key));
    buttons[action] = button;
    actions.append(button);
  }
  const root = el(
    'li',
    { class: 'card', 'data-key': key },
    el('article', { 'aria-labelledby': id },
      el('header', { class: 'card-head' }, agent, state),
      title,
      el('dl', { class: 'facts' }, ...Object.values(facts).flatMap((f) => f.node)),
      budgets,
      note,
      actions,
    ),
  );
  return { root, agent, state, facts, budgets, note, buttons, budgetKey: '', view: undefined, fetchedAt: 0 };
}

/** Idle time now: the server's figure plus the time since it was fetched (a running session is never idle). */
export function idleNow(card, now) {
  const view = card.view;
  if (!view || typeof view.idleMs !== 'number') return undefined;
  return view.session.active ? 0 : view.idleMs + Math.max(0, now - card.fetchedAt);
}

function renderBudgets(card, budgets) {
  // Rebuild only when the set of policies changes; otherwise adjust bars in place.
  const key = budgets.map((b) => `${b.policy}|${b.subject}`).join('\n');
  if (key !== card.budgetKey) {
    card.budgetKey = key;
    card.budgets.replaceChildren(
      ...budgets.map((b) => {
        const label = el('span', { class: 'budget-label' });
        const fill = el('span', { class: 'budget-fill' });
        const track = el('span', { class: 'budget-track', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
        return el('div', { class: 'budget', 'data-policy': b.policy }, label, track);
      }),
    );
  }
  budgets.forEach((b, i) => {
    const row = card.budgets.children[i];
    const [label, track] = row.children;
    const pct = Math.round(b.ratio * 100);
    const level = budgetLevel(b.ratio, b.warnAt);
    row.className = `budget budget-${level}`;
    row.dataset.level = level;
    label.textContent = `${b.policy}${b.scope && b.scope !== 'session' ? ` (${b.scope})` : ''} ${pct}%${level === 'over' ? ' exceeded' : ''}`;
    track.setAttribute('aria-valuenow', String(Math.min(pct, 100)));
    track.setAttribute('aria-valuetext', `${pct}% of the ${b.policy} budget${level === 'over' ? ', exceeded' : level === 'warn' ? ', past the warning level' : ''}`);
    track.firstChild.style.width = `${Math.min(100, Math.max(0, pct))}%`;
  });
}

/** Fills a card from a SessionView (the API's JSON). `busy` disables every button while a write is in flight. */
export function updateCard(card, view, fetchedAt, busy) {
  card.view = view;
  card.fetchedAt = fetchedAt;
  const known = view.usage && view.usage.known !== false;
  card.root.dataset.state = view.state;
  card.root.dataset.agent = view.session.agent;
  card.agent.textContent = view.session.agent;
  card.state.textContent = view.protected ? `${view.state} · protected` : view.state;
  card.state.className = `state state-${view.state}`;
  card.facts.model.value.textContent = view.session.model ?? '—';
  card.facts.input.value.textContent = known ? tokens(view.usage.input) : '—';
  card.facts.output.value.textContent = known ? tokens(view.usage.output) : '—';
  card.facts.total.value.textContent = known ? tokens(view.usage.total) : 'unknown';
  card.facts.cost.value.textContent = known ? money(view.usage.cost) : '—';
  card.facts.idle.value.textContent = duration(idleNow(card, fetchedAt));
  renderBudgets(card, Array.isArray(view.budgets) ? view.budgets : []);
  const hold = view.hold;
  card.note.hidden = !hold;
  card.note.textContent = hold ? `${hold.kind === 'hold' ? 'Held' : 'Paused'} by ${hold.policy ? `policy ${hold.policy}` : hold.by}: ${hold.reason}` : '';
  for (const action of ACTIONS) card.buttons[action].disabled = busy || !actionAllowed(view, action);
}
