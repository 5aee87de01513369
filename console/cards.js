// One card per session: built once, then updated in place so focus, dialogs and scroll survive live updates.
import { compact, duration, el, hm, money, perHour, shown, tokens } from './format.js';

// The browser cannot import src/: these copy the registry's manual actions (MANUAL_ACTIONS in src/actions/index.ts,
// the actions whose traits say `manual`) and its action names; test/console/actions.test.ts holds them equal.
// Which buttons apply to a session is not copied: the daemon serves it as `can`.
export const ACTIONS = ['stop', 'kill', 'pause', 'resume'];
export const ACTION_LABELS = { stop: 'Stop', kill: 'Kill', pause: 'Pause', resume: 'Resume' };
export const ACTION_HINTS = {
  stop: 'End the current run; the session stays usable',
  kill: 'End the run and its queued work; nothing new starts until resumed',
  pause: 'Block new work until resumed',
  resume: 'Undo a pause or kill by clawwarden',
};
const SVG = 'http://www.w3.org/2000/svg';
export const VERBS = { stop: 'Stopped', kill: 'Killed', pause: 'Paused', resume: 'Resumed', cleanup: 'Cleaned up', compact: 'Compacted' };

/** Whether an action applies to a session now: the daemon decides (state and source capabilities) and serves it as `can`. */
export function actionAllowed(view, action) {
  return Array.isArray(view.can) && view.can.includes(action);
}

function fact(name, className) {
  const value = el('dd', { class: className });
  return { node: [el('dt', {}, name), value], value };
}

/** A new, empty card for `key`; `onAction(action, key)` runs when a button is pressed, `onOpen(key)` when its title is. */
export function createCard(key, onAction, onOpen) {
  const id = `card-${Math.random().toString(36).slice(2, 10)}`;
  const agent = el('span', { class: 'agent' });
  const state = el('span', { class: 'state' });
  const open = el('button', { type: 'button', class: 'key-link', title: 'Show calls, decisions and journal' }, key);
  open.addEventListener('click', () => onOpen(key));
  const title = el('h3', { class: 'key', id }, open);
  const sparkPath = document.createElementNS(SVG, 'polyline');
  const spark = document.createElementNS(SVG, 'svg');
  spark.setAttribute('class', 'spark');
  spark.setAttribute('viewBox', '0 0 100 24');
  spark.setAttribute('preserveAspectRatio', 'none');
  spark.setAttribute('aria-hidden', 'true');
  spark.append(sparkPath);
  const sparkText = el('span', { class: 'spark-text' });
  const facts = {
    total: fact('Tokens', 'tokens-total'),
    cost: fact('Cost', 'cost'),
    burn: fact('Burn', 'burn'),
    idle: fact('Idle', 'idle'),
    model: fact('Model', 'model'),
    calls: fact('Calls', 'calls'),
  };
  const budgets = el('div', { class: 'budgets' });
  const note = el('p', { class: 'note', hidden: true });
  const next = el('p', { class: 'next', hidden: true });
  // A policy's notice: the countdown to the marked action, with Undo (POST …/unmark).
  const markText = el('span', { class: 'mark-text' });
  const undo = el(
    'button',
    { type: 'button', class: 'action action-unmark', 'data-action': 'unmark', 'aria-label': `Undo the mark on session ${key}`, title: 'Cancel the marked action (journaled as from the console)' },
    'Undo',
  );
  undo.addEventListener('click', () => onAction('unmark', key));
  const mark = el('p', { class: 'mark', hidden: true, role: 'status' }, el('span', { class: 'badge badge-mark' }, 'Marked'), markText, undo);
  const buttons = {};
  const actions = el('div', { class: 'actions' });
  for (const action of ACTIONS) {
    const button = el(
      'button',
      { type: 'button', class: `action action-${action}`, 'data-action': action, 'aria-label': `${ACTION_LABELS[action]} session ${key}`, title: ACTION_HINTS[action] },
      ACTION_LABELS[action],
    );
    button.addEventListener('click', () => onAction(action, key));
    buttons[action] = button;
    actions.append(button);
  }
  const root = el(
    'li',
    { class: 'card', 'data-key': key },
    el(
      'article',
      { 'aria-labelledby': id },
      el('header', { class: 'card-head' }, agent, state),
      title,
      el('div', { class: 'spark-row' }, spark, sparkText),
      el('dl', { class: 'facts' }, ...Object.values(facts).flatMap((f) => f.node)),
      budgets,
      note,
      next,
      mark,
      actions,
    ),
  );
  return { root, agent, state, facts, budgets, note, next, mark, markText, undo, buttons, sparkPath, sparkText, budgetKey: '', view: undefined, fetchedAt: 0 };
}

/** Idle time now: the server's figure plus the time since it was fetched (a running session is never idle). */
export function idleNow(card, now) {
  const view = card.view;
  if (!view || typeof view.idleMs !== 'number') return undefined;
  return view.session.active ? 0 : view.idleMs + Math.max(0, now - card.fetchedAt);
}

const LEVEL_WORDS = { over: 'exceeded', handled: 'handled', unknown: 'not known yet' };

/** One bar per policy, each showing that policy's own verdict as served (never "exceeded" unless it fires). */
function renderBudgets(card, verdicts) {
  // Rebuild only when the set of policies changes; otherwise adjust bars in place.
  const key = verdicts.map((v) => v.policy).join('\n');
  if (key !== card.budgetKey) {
    card.budgetKey = key;
    card.budgets.replaceChildren(
      ...verdicts.map((v) => {
        const label = el('span', { class: 'budget-label' });
        const fill = el('span', { class: 'budget-fill' });
        const track = el('span', { class: 'budget-track', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': `${v.policy} budget` }, fill);
        const detail = el('span', { class: 'budget-detail' });
        return el('div', { class: 'budget', 'data-policy': v.policy }, label, track, detail);
      }),
    );
  }
  verdicts.forEach((v, i) => {
    const row = card.budgets.children[i];
    const [label, track, detail] = row.children;
    const pct = Math.round((v.ratio ?? 0) * 100);
    const level = v.level ?? 'ok';
    row.className = `budget budget-${level}`;
    row.dataset.level = level;
    const word = LEVEL_WORDS[level];
    label.textContent = `${shown(v.policy)} ${level === 'unknown' ? '' : `${pct}%`}${word ? `${level === 'unknown' ? '' : ' '}${level === 'handled' ? '· handled' : word}` : ''}`.replace(/\s+$/, '');
    detail.textContent = shown(level === 'handled' && typeof v.handledAt === 'number' ? `${v.text} · acted at ${hm(v.handledAt)}` : (v.text ?? ''));
    track.setAttribute('aria-valuenow', String(Math.min(Math.max(pct, 0), 100)));
    track.setAttribute(
      'aria-valuetext',
      `${pct}% of the ${v.policy} threshold${level === 'over' ? ', exceeded' : level === 'handled' ? ', exceeded and handled' : level === 'warn' ? ', past the warning level' : level === 'unknown' ? ', usage not known yet' : ''}`,
    );
    track.firstChild.style.width = `${Math.min(100, Math.max(0, pct))}%`;
  });
}

/** A session's latest action as a sentence: "Stopped by session-token-cap at 14:02 — tokens.total 231,402 > 200,000". */
export function noteText(view) {
  const note = view.note;
  if (!note) return '';
  const hold = view.hold;
  let verb = VERBS[note.action] ?? note.action;
  if (note.action === 'pause' && hold?.kind === 'hold') verb = 'Held';
  if (note.action === 'kill' && hold?.kind === 'hold') verb = 'Killed (held)';
  if (note.action === 'cleanup' && view.session.archived) verb = 'Archived';
  const who = note.policy ?? note.by;
  const when = hm(note.at);
  if (note.result === 'would') return `Would be ${verb.toLowerCase()} by ${who} at ${when} (dry-run) — ${note.reason}`;
  if (note.result === 'failed' || note.result === 'refused')
    return `${note.action[0].toUpperCase()}${note.action.slice(1)} by ${who} ${note.result} at ${when}${note.detail ? `: ${note.detail}` : ''}`;
  const reason = note.by === 'policy' ? ` — ${note.reason}` : '';
  const until = hold?.until && note.action === 'pause' ? ` · resumes at ${hm(hold.until)}` : '';
  return `${verb} by ${who} at ${when}${reason}${until}`;
}

/** The ladder's next rung as a sentence with its countdown; empty when none is pending. */
export function nextText(view, now) {
  const next = view.next;
  if (!next) return '';
  const left = next.due - now;
  const what = next.actions.join(', ');
  const condition = next.ifActive ? ' if still running' : '';
  return left > 0
    ? `Next: ${what} at ${hm(next.due)}${condition} (in ${duration(left)}) — ${next.policy} step ${next.step}`
    : `Next: ${what}${condition} is due now — ${next.policy} step ${next.step}`;
}

/** The soonest mark as a sentence with its countdown: "archive at 14:02 (in 42m) by idle-cleanup unless undone"; empty when unmarked. */
export function markText(view, now) {
  const mark = Array.isArray(view.marks) ? view.marks[0] : undefined;
  if (!mark) return '';
  const left = mark.due - now;
  const more = view.marks.length > 1 ? ` (+${view.marks.length - 1} more)` : '';
  return left > 0 ? `${mark.action} at ${hm(mark.due)} (in ${duration(left)}) by ${mark.policy} unless undone${more}` : `${mark.action} is due now by ${mark.policy} if it still matches${more}`;
}

function renderSpark(card, spark) {
  const values = Array.isArray(spark) ? spark : [];
  const max = Math.max(...values, 0);
  const n = Math.max(values.length - 1, 1);
  card.sparkPath.setAttribute('points', values.map((v, i) => `${((i / n) * 100).toFixed(1)},${(22 - (max > 0 ? (v / max) * 20 : 0)).toFixed(1)}`).join(' '));
  const sum = values.reduce((a, b) => a + b, 0);
  card.sparkText.textContent = `${money(sum)} in ${values.length} min`;
}

/** Fills a card from a session view (the API's JSON). `busy` disables every button while a write is in flight. */
export function updateCard(card, view, fetchedAt, busy) {
  card.view = view;
  card.fetchedAt = fetchedAt;
  const known = view.usage && view.usage.known !== false;
  card.root.dataset.state = view.state;
  card.root.dataset.agent = view.session.agent;
  card.agent.textContent = shown(view.session.agent);
  card.state.textContent = view.protected ? `${view.state} · protected` : view.state;
  card.state.className = `state state-${view.state}`;
  card.facts.model.value.textContent = shown(view.session.model ?? '—');
  card.facts.total.value.textContent = known ? tokens(view.usage.total) : 'unknown';
  card.facts.cost.value.textContent = known ? money(view.usage.cost) : '—';
  card.facts.calls.value.textContent = known ? tokens(view.usage.calls) : '—';
  card.facts.burn.value.textContent = view.burn
    ? view.burn.costPerHour > 0
      ? perHour(view.burn.costPerHour)
      : view.burn.tokensPerMinute > 0
        ? `${compact(view.burn.tokensPerMinute)} tok/min`
        : '—'
    : '—';
  card.facts.idle.value.textContent = duration(idleNow(card, fetchedAt));
  renderSpark(card, view.spark);
  renderBudgets(card, Array.isArray(view.verdicts) ? view.verdicts : []);
  const note = noteText(view);
  card.note.hidden = note === '';
  card.note.textContent = shown(note);
  tickCard(card, fetchedAt);
  for (const action of ACTIONS) card.buttons[action].disabled = busy || !actionAllowed(view, action);
  card.undo.disabled = busy;
}

/** Per-second changes: idle time and the ladder's countdown. */
export function tickCard(card, now) {
  if (!card.view) return;
  card.facts.idle.value.textContent = duration(idleNow(card, now));
  const next = nextText(card.view, now);
  card.next.hidden = next === '';
  card.next.textContent = shown(next);
  const mark = markText(card.view, now);
  card.mark.hidden = mark === '';
  card.root.dataset.marked = mark === '' ? 'false' : 'true';
  card.markText.textContent = shown(mark);
}
