import { describe, expect, it } from 'vitest';
import { DAEMON_SEMI_SPACE_MB, tuneHeapForIdling } from '../../src/cli/run/heap.js';

describe('the daemon’s young generation', () => {
  it('is kept small for an idle daemon unless the operator set their own size', () => {
    const applied: string[] = [];
    const set = (flags: string): void => void applied.push(flags);
    expect(tuneHeapForIdling([], {}, set)).toBe(`--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`);
    expect(tuneHeapForIdling(['--max-semi-space-size=16'], {}, set)).toBeUndefined();
    expect(tuneHeapForIdling([], { NODE_OPTIONS: '--enable-source-maps --max_semi_space_size=8' }, set)).toBeUndefined();
    expect(tuneHeapForIdling(['--max-old-space-size=512'], { NODE_OPTIONS: '--trace-gc' }, set)).toBe(`--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`);
    expect(applied).toEqual([`--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`, `--max-semi-space-size=${DAEMON_SEMI_SPACE_MB}`]);
  });
});
