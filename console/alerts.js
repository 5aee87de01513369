// The alerts panel: recent warnings, violations, actions and source changes from the audit journal, with reasons.
import { clock, el } from './format.js';

function alertLevel(entry) {
  if (entry.result === 'failed' || entry.result === 'refused' || entry.type === 'refusal') return 'bad';
  if (entry.type === 'decision') return entry.kind === 'warn' ? 'warn' : entry.kind === 'release' ? 'info' : 'bad';
  if (entry.type === 'source') return /down|lost|fail|error|unreach/i.test(entry.reason ?? '') ? 'warn' : 'info';
  return 'info';
}

function alertTitle(entry) {
  if (entry.type === 'decision') return entry.kind ?? 'decision';
  if (entry.type === 'action') return `${entry.action ?? 'action'} ${entry.result ?? ''}`.trim();
  return entry.type;
}

/** The alerts panel over `list`: `add(entries)` shows journal entries newest on top, each once, at most `max`. */
export function createAlerts(list, empty, max = 60) {
  const seen = new Set();
  return { add: (entries) => addAlerts(list, empty, seen, max, entries) };
}

function addAlerts(list, empty, seen, max, entries) {
  for (const entry of entries) {
    if (!entry || typeof entry.seq !== 'number' || seen.has(entry.seq) || entry.type === 'config') continue;
    // Entries arrive from the stream and from journal fetches in any order; the panel stays sorted by seq, newest first.
    const after = [...list.children].find((item) => Number(item.dataset.seq) < entry.seq) ?? null;
    if (after === null && list.children.length >= max) continue;
    seen.add(entry.seq);
    const level = alertLevel(entry);
    const item = el(
      'li',
      { class: `alert alert-${level}`, 'data-seq': entry.seq, 'data-type': entry.type },
      el('div', { class: 'alert-head' }, el('span', { class: 'alert-kind' }, alertTitle(entry)), el('time', { datetime: entry.time }, clock(entry.time))),
      el('p', { class: 'alert-reason' }, entry.reason),
      el('p', { class: 'alert-meta' }, [entry.policy && `policy ${entry.policy}`, entry.session, entry.by && `by ${entry.by}`, entry.mode === 'dry-run' && 'dry-run'].filter(Boolean).join(' · ')),
    );
    list.insertBefore(item, after);
  }
  while (list.children.length > max) {
    seen.delete(Number(list.lastElementChild.dataset.seq));
    list.lastElementChild.remove();
  }
  empty.hidden = list.children.length > 0;
}
