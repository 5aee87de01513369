import { describe, expect, it } from 'vitest';
import { SpawnIndex } from '../../src/domain/spawn-index.js';

describe('SpawnIndex: who spawned whom, without a scan', () => {
  it('lists a parent’s children in the order they were linked, follows a move and forgets a deleted child', () => {
    const index = new SpawnIndex();
    index.set('a', 'root');
    index.set('b', 'root');
    index.set('c', 'a');
    index.set('b', 'root'); // the same link again changes nothing
    expect(index.childrenOf('root')).toEqual(['a', 'b']);
    expect(index.childrenOf('a')).toEqual(['c']);
    index.set('b', 'a'); // b's row now names another parent
    expect(index.childrenOf('root')).toEqual(['a']);
    expect(index.childrenOf('a')).toEqual(['c', 'b']);
    index.set('c', undefined); // a row that names no parent any more
    index.delete('a');
    expect(index.childrenOf('a')).toEqual(['b']);
    expect(index.childrenOf('root')).toEqual([]);
    index.clear();
    expect(index.childrenOf('a')).toEqual([]);
  });
});
