import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, importGraph } from './graph.js';

// The layers stay layers: the domain on the ground floor, the engine above the policy language, the daemon above
// its parts, http above the daemon's facade. A cycle (file or folder) fails the build, with the files that form it.
const SRC = resolve(import.meta.dirname, '..', '..', 'src');
const GUARD = resolve(import.meta.dirname, '..', '..', 'guard', 'src');

describe('import structure', () => {
  const files = importGraph(SRC);

  it('reads the whole source tree', () => {
    expect(files.size).toBeGreaterThan(150);
    expect(files.get('daemon/daemon.ts')?.has('engine/index.ts')).toBe(true);
  });

  it('has no import cycle between files', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    expect(cycles(folderGraph(files))).toEqual([]);
  });

  it('keeps the domain on the ground floor: it imports nothing of the rest', () => {
    const up = [...files].filter(([f]) => f.startsWith('domain/')).flatMap(([f, deps]) => [...deps].filter((d) => !d.startsWith('domain/')).map((d) => `${f} -> ${d}`));
    expect(up).toEqual([]);
  });

  it('the guard plugin has no import cycle either', () => {
    expect(cycles(importGraph(GUARD))).toEqual([]);
  });
});
