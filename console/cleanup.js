// Cleanup from the console: a form (age, idle, agent, mode, force), a preview from a dry run, then the real run.
import { el } from './format.js';

const STATUS_WORDS = { would: 'would be cleaned up', done: 'cleaned up', noop: 'nothing to do', refused: 'refused', failed: 'failed' };

function outcomeRow(o) {
  return el(
    'li',
    { class: `outcome outcome-${o.status}`, 'data-key': o.key, 'data-status': o.status },
    el('span', { class: 'outcome-key' }, o.key),
    el('span', { class: 'outcome-status' }, STATUS_WORDS[o.status] ?? o.status),
    o.detail ? el('span', { class: 'outcome-detail' }, o.detail) : '',
  );
}

/**
 * Wires the cleanup dialog. `write(path, body)` sends an authorised POST (asking for the token when needed) and
 * resolves to `{ ok, status, body }` or undefined when no token was given; `done()` runs after a real cleanup.
 */
export function setupCleanup(ui, write, say, done) {
  let previewed;
  const request = (dryRun) => {
    const body = { mode: ui.mode.value, dryRun, origin: 'console' };
    if (ui.age.value.trim()) body.age = ui.age.value.trim();
    if (ui.idle.value.trim()) body.idle = ui.idle.value.trim();
    if (ui.agent.value) body.agent = ui.agent.value;
    if (ui.force.checked) body.force = true;
    return body;
  };
  const show = (outcomes, dryRun) => {
    const counts = {};
    for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
    const acting = dryRun ? (counts.would ?? 0) : (counts.done ?? 0);
    ui.summary.textContent =
      outcomes.length === 0
        ? 'No session matches.'
        : `${dryRun ? 'Preview' : 'Result'}: ${acting} session${acting === 1 ? '' : 's'} ${dryRun ? 'would be' : ''} ${ui.mode.value === 'delete' ? 'deleted' : 'archived'}${counts.refused ? `, ${counts.refused} refused` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}.`.replace(
            '  ',
            ' ',
          );
    ui.list.replaceChildren(...outcomes.map(outcomeRow));
  };
  const reset = () => {
    previewed = undefined;
    ui.confirm.disabled = true;
    ui.confirm.textContent = 'Clean up';
  };
  for (const input of [ui.age, ui.idle, ui.agent, ui.mode, ui.force]) input.addEventListener('change', reset);

  ui.open.addEventListener('click', () => {
    reset();
    ui.summary.textContent = 'Choose which sessions, then preview: nothing is touched until you confirm.';
    ui.list.replaceChildren();
    ui.dialog.showModal();
  });
  ui.close.addEventListener('click', () => ui.dialog.close());
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!ui.age.value.trim() && !ui.idle.value.trim()) {
      ui.summary.textContent = 'Give an age or an idle time (like 1d or 12h): without one every session would be a candidate.';
      return;
    }
    ui.summary.textContent = 'Previewing…';
    const r = await write('/api/v1/cleanup', request(true));
    if (!r) return;
    if (!r.ok) {
      ui.summary.textContent = `Preview refused (HTTP ${r.status}): ${r.body?.error?.message ?? 'no reason given'}`;
      return;
    }
    show(r.body.outcomes, true);
    previewed = request(false);
    const would = r.body.outcomes.filter((o) => o.status === 'would').length;
    ui.confirm.disabled = would === 0;
    ui.confirm.textContent = would === 0 ? 'Nothing to clean up' : `${ui.mode.value === 'delete' ? 'Delete' : 'Archive'} ${would} session${would === 1 ? '' : 's'}`;
  });
  ui.confirm.addEventListener('click', async () => {
    if (!previewed) return;
    const body = previewed;
    reset();
    ui.summary.textContent = 'Cleaning up…';
    const r = await write('/api/v1/cleanup', body);
    if (!r) return;
    if (!r.ok) {
      ui.summary.textContent = `Cleanup refused (HTTP ${r.status}): ${r.body?.error?.message ?? 'no reason given'}`;
      return;
    }
    show(r.body.outcomes, false);
    say(ui.summary.textContent, 'ok');
    done();
  });
}
