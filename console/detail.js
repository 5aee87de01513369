// The session detail dialog: per-call timeline, each policy's trace with measured values, and the journal of the session.
import { clock, el, money, shown, tokens } from './format.js';

function section(title, ...children) {
  return el('section', { class: 'detail-section' }, el('h3', {}, title), ...children);
}

function holdsWord(holds) {
  return holds === true ? 'holds' : holds === false ? 'does not hold' : 'not known';
}

/** A policy trace from the explain API (`clawwarden explain`). */
function explainedPolicy(p) {
  return el(
    'li',
    { class: `trace trace-${p.verdict}`, 'data-policy': p.policy },
    el('p', { class: 'trace-head' }, el('strong', {}, p.policy), ` — ${p.verdict}: ${p.why}`),
    el(
      'ul',
      { class: 'trace-conditions' },
      ...p.conditions.map((c) => el('li', { class: 'trace-condition', 'data-depth': String(c.depth) }, `${'  '.repeat(c.depth)}${c.text} — ${holdsWord(c.holds)}`)),
    ),
    ...(p.next
      ? [
          el(
            'p',
            { class: 'trace-next' },
            `Next: ${p.next.actions.join(', ')}${p.next.due ? ` at ${clock(p.next.due)}` : ` ${p.next.after} after the first action`}${p.next.ifActive ? ' if still running' : ''}`,
          ),
        ]
      : []),
  );
}

/** A policy verdict as served with the session (when no explain API is there). */
function verdictPolicy(v) {
  return el(
    'li',
    { class: `trace trace-${v.level}`, 'data-policy': v.policy },
    el('p', { class: 'trace-head' }, el('strong', {}, v.policy), ` — ${v.fires ? (v.level === 'handled' ? 'fires; handled' : 'fires') : 'does not fire'} (${Math.round(v.ratio * 100)}% of the way)`),
    el('ul', { class: 'trace-conditions' }, ...(v.conditions ?? []).map((c) => el('li', { class: 'trace-condition', 'data-depth': String(c.depth) }, `${c.text} — ${holdsWord(c.holds)}`))),
  );
}

function callsTable(calls) {
  if (!calls?.length) return el('p', { class: 'empty' }, 'No model calls seen live yet (usage known only as totals from the platform).');
  return el(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': 'Model calls', tabindex: '0' },
    el(
      'table',
      { class: 'calls' },
      el('caption', { class: 'visually-hidden' }, 'Recent model calls, newest first'),
      el('thead', {}, el('tr', {}, ...['Time', 'Input', 'Output', 'Cache', 'Total', 'Cost', 'Duration'].map((h) => el('th', { scope: 'col' }, h)))),
      el(
        'tbody',
        {},
        ...calls.map((c) =>
          el(
            'tr',
            {},
            el('td', {}, clock(new Date(c.at).toISOString())),
            el('td', {}, tokens(c.input)),
            el('td', {}, tokens(c.output)),
            el('td', {}, tokens(c.cache)),
            el('td', {}, tokens(c.total)),
            el('td', {}, money(c.cost)),
            el('td', {}, '—'),
          ),
        ),
      ),
    ),
  );
}

function journalList(entries) {
  if (!entries.length) return el('p', { class: 'empty' }, 'Nothing journaled about this session.');
  return el(
    'ol',
    { class: 'journal' },
    ...entries.map((e) =>
      el(
        'li',
        { class: `journal-entry journal-${e.type}`, 'data-type': e.type },
        el('span', { class: 'journal-time' }, clock(e.time)),
        el('span', { class: 'journal-kind' }, e.type === 'action' ? `${e.action} ${e.result}` : e.type === 'decision' ? `decision ${e.kind ?? ''}` : e.type),
        el('span', { class: 'journal-reason' }, [e.reason, ...(e.measurements ?? []).map((m) => m.text)].filter((x, i, a) => x && a.indexOf(x) === i).join(' · ')),
        el('span', { class: 'journal-meta' }, [e.policy && `policy ${e.policy}`, e.by && `by ${e.by}`, e.mode === 'dry-run' && 'dry-run', e.forced && 'forced'].filter(Boolean).join(' · ')),
      ),
    ),
  );
}

/** Loads and shows one session's detail in `dialog` (its body is `body`, its title `title`). */
export async function showDetail({ dialog, body, title }, key, api) {
  title.textContent = shown(key);
  body.replaceChildren(el('p', { class: 'empty' }, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  const enc = encodeURIComponent(key);
  const [one, explain, journal] = await Promise.all([
    api(`/api/v1/sessions/${enc}`).catch(() => undefined),
    api(`/api/v1/sessions/${enc}/explain`).catch(() => undefined),
    api(`/api/v1/journal?session=${enc}&limit=50`).catch(() => undefined),
  ]);
  if (!one?.ok) {
    body.replaceChildren(el('p', { class: 'empty' }, `Could not load ${key}: ${one?.body?.error?.message ?? 'no answer'}`));
    return;
  }
  const view = one.body.session;
  const u = view.usage;
  const traces =
    explain?.ok && Array.isArray(explain.body?.explanation?.policies)
      ? el('ul', { class: 'traces', 'data-from': 'explain' }, ...explain.body.explanation.policies.map(explainedPolicy))
      : el('ul', { class: 'traces', 'data-from': 'verdicts' }, ...(view.verdicts ?? []).map(verdictPolicy));
  body.replaceChildren(
    el(
      'p',
      { class: 'detail-summary' },
      `${view.session.agent} · ${view.state}${view.protected ? ' · protected' : ''} · ${view.session.model ?? 'model unknown'} · ${tokens(u.total)} tokens · ${money(u.cost)} · ${tokens(u.calls)} calls`,
    ),
    section('Policies, measured now', traces),
    section('Model calls', callsTable(view.calls)),
    section('Journal', journalList(journal?.ok ? journal.body.entries : (view.decisions ?? []))),
  );
}
