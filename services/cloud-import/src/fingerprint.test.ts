import { Types } from 'mongoose';
import { fingerprint } from './fingerprint';

test('equal content in any field order, nested objects included, has one fingerprint', () => {
  const a = { _id: 'x', b: 1, a: { d: [1, { f: 'g', e: null }], c: 'z' }, words: ['b', 'a'] };
  const b = { words: ['b', 'a'], a: { c: 'z', d: [1, { e: null, f: 'g' }] }, _id: 'x', b: 1 };
  expect(fingerprint(a)).toBe(fingerprint(b));
  expect(fingerprint(a)).toMatch(/^[A-Za-z0-9+/]{27}=$/);
});

test('any difference of content gives another fingerprint', () => {
  const base = { _id: 'x', score: 17, words: ['a', 'b'], at: new Date('2025-01-10T09:00:00Z'), n: { k: 1 } };
  const variants = [
    { ...base, score: 17.5 },
    { ...base, score: '17' },
    { ...base, words: ['b', 'a'] },
    { ...base, at: new Date('2025-01-10T09:00:01Z') },
    { ...base, n: { k: 2 } },
    { ...base, n: { k: 1, j: 1 } },
    { ...base, extra: true },
    { ...base, price: new Types.Decimal128('1.5') },
    { ...base, price: new Types.Decimal128('2.5') },
  ];
  const prints = new Set([base, ...variants].map(fingerprint));
  expect(prints.size).toBe(variants.length + 1);
});
