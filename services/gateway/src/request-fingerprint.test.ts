import { fingerprintDifferences, fingerprintOf } from './request-fingerprint';

const base = { type: 'diagnostic', params: { a: 1, b: { c: [1, 2] } } };

test('the same request in another key order has the same fingerprint', () => {
  expect(fingerprintDifferences(fingerprintOf(base), fingerprintOf({ type: 'diagnostic', params: { b: { c: [1, 2] }, a: 1 } }))).toEqual([]);
});

test('each differing part is named', () => {
  const first = fingerprintOf(base);
  expect(fingerprintDifferences(first, fingerprintOf({ ...base, type: 'spelling-report' }))).toEqual(['type']);
  expect(fingerprintDifferences(first, fingerprintOf({ ...base, params: { a: 2, b: { c: [1, 2] } } }))).toEqual(['params']);
  expect(fingerprintDifferences(first, fingerprintOf({ ...base, title: 't', tag: 'x' }))).toEqual(['title', 'tag']);
  expect(fingerprintDifferences(first, fingerprintOf({ ...base, fileSha256: 'abc' }))).toEqual(['file']);
  expect(fingerprintDifferences(first, fingerprintOf({ ...base, callbackUrl: 'https://example.com/hook' }))).toEqual(['callbackUrl']);
});
