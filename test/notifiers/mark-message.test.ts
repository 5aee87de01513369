import { describe, expect, it } from 'vitest';
import { markMessage } from '../../src/notifiers/messages.js';
import type { Decision } from '../../src/domain/decision.js';

const target = { source: 'home', key: 'agent:archivist:ancient', generation: 'g1', agent: 'archivist', main: false, active: false };
const decision: Decision = {
  id: 'd|e1|s0',
  policy: 'delete-old-archived',
  kind: 'violation',
  scope: 'session',
  subject: `session ${target.key}`,
  stateKey: 'd',
  targets: [target],
  step: 0,
  episode: 1,
  actions: [{ action: 'cleanup', cleanup: 'delete', notice: 86_400_000 }],
  reason: 'age 40d > 30d (policy delete-old-archived)',
  measurements: [],
  mode: 'enforce',
};

describe('the notice a mark sends', () => {
  it('says what will be done to which session and when, that nothing is done yet, and how to cancel it', () => {
    const due = Date.parse('2026-01-06T12:00:00Z');
    const n = markMessage({ decision, action: 'cleanup', cleanup: 'delete', target, due, detail: 'will clean up (delete) …' }, Date.parse('2026-01-05T12:00:00Z'));
    expect(n.kind).toBe('marked');
    expect(n.title).toBe('[clawwarden] Will delete agent:archivist:ancient at 2026-01-06T12:00:00.000Z unless unmarked');
    expect(n.lines.at(-1)).toBe(
      'Done: nothing yet. clawwarden will delete agent:archivist:ancient at 2026-01-06T12:00:00.000Z if policy delete-old-archived still matches then; to cancel: clawwarden sessions unmark agent:archivist:ancient (or Undo in the console).',
    );
    expect(n.session).toBe(target.key);
    // One notice per mark: a new mark (a new due time) is a new message, the same one is not sent twice.
    expect(n.dedupKey).toContain(String(due));
  });
});
