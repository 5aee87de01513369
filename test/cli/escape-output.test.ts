import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/table.js';
import { resultsText } from '../../src/cli/sessions/format.js';

describe('CLI output never passes control characters through', () => {
  it('escapes ESC, NUL and bidi overrides in table cells (session keys and reasons come from outside)', () => {
    const text = renderTable(['KEY', 'DETAIL'], [['agent:x:\u001b[31mred', 'ok\u0000\u202eevil']]);
    for (const raw of ['\u0000', '\u001b', '\u202e']) expect(text).not.toContain(raw);
    expect(text).toContain('agent:x:\\x1b[31mred');
    expect(text).toContain('ok\\x00\\u202eevil');
  });

  it('escapes what a per-key result quotes', () => {
    const text = resultsText([{ key: 'agent:x:\u001b]0;title\u0007', action: 'stop', status: 'refused', detail: 'gateway said \u001b[2J' }]);
    for (const raw of ['\u0007', '\u001b']) expect(text).not.toContain(raw);
    expect(text).toContain('\\x1b]0;title\\x07');
  });
});
