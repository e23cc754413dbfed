import { nulPath } from './nul-characters';

test('finds U+0000 in strings and keys at any depth, and nothing elsewhere', () => {
  expect(nulPath('a\u0000')).toBe('');
  expect(nulPath({ title: 'ok', params: { list: ['x', 'y\u0000'] } })).toBe('/params/list/1');
  expect(nulPath({ params: { 'k\u0000': 1 } })).toBe('/params/k\\u0000');
  expect(nulPath({ a: 1, b: [true, null, 'clean'], c: { d: 'still clean' } })).toBeUndefined();
  let deep: unknown = 'bad\u0000';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(nulPath(deep)).toBe('/0'.repeat(100_000));
});
