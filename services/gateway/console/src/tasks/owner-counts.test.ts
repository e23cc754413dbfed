import { andList, ownerCounts } from './owner-counts';

describe('ownerCounts', () => {
  it('counts each owner, most first, ties by name', () => {
    const items = ['bob', 'alice', 'carol', 'alice', 'bob', 'alice'].map((owner) => ({ owner }));
    expect(ownerCounts(items)).toEqual([
      { owner: 'alice', count: 3 },
      { owner: 'bob', count: 2 },
      { owner: 'carol', count: 1 },
    ]);
    expect(ownerCounts([])).toEqual([]);
  });
});

describe('andList', () => {
  it('joins words as a sentence does', () => {
    expect(andList([])).toBe('');
    expect(andList(['alice'])).toBe('alice');
    expect(andList(['alice', 'bob'])).toBe('alice and bob');
    expect(andList(['alice', 'bob', 'carol'])).toBe('alice, bob and carol');
  });
});
