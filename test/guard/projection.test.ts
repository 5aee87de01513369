import { describe, expect, it } from 'vitest';
import { projectNext } from '../../guard/src/projection.js';

describe('projectNext', () => {
  it.each([
    [[], undefined],
    [[10_000], 12_500],
    [[15_488, 17_148], 18_808],
    [[15_488, 17_148, 18_808, 18_871], 18_871 + 1_660],
    [[10_000, 20_000, 20_100, 20_200, 20_300], 20_400],
    [[30_000, 20_000], 20_000],
  ] as const)('%j → %s (the last call plus the largest recent growth)', (recent, expected) => {
    expect(projectNext(recent)).toBe(expected);
  });
});
