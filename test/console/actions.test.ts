import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, MANUAL_ACTIONS } from '../../src/actions/index.js';

// The console ships plain browser JavaScript that cannot import src/: its copy of the action registry is held
// equal to src/actions/index.ts here. The module touches no DOM when loaded; what is used is typed at the import.
const consoleCards: string = '../../console/cards.js';
const cards = (await import(consoleCards)) as {
  ACTIONS: readonly string[];
  ACTION_LABELS: Record<string, string>;
  ACTION_HINTS: Record<string, string>;
  VERBS: Record<string, string>;
};

describe('console action buttons', () => {
  it('offers exactly the manual actions of the registry, in its order', () => {
    expect(cards.ACTIONS).toEqual(MANUAL_ACTIONS);
  });

  it('labels and explains every button, and has a verb for every action', () => {
    expect(Object.keys(cards.ACTION_LABELS).sort()).toEqual([...MANUAL_ACTIONS].sort());
    expect(Object.keys(cards.ACTION_HINTS).sort()).toEqual([...MANUAL_ACTIONS].sort());
    expect(Object.keys(cards.VERBS).sort()).toEqual([...ACTION_NAMES].sort());
  });
});
