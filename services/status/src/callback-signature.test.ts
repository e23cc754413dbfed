import { signCallback, verifyCallback } from './callback-signature';

test('a signature verifies for its body and timestamp only, and not once stale', () => {
  const body = '{"id":"t1","status":"succeeded"}';
  const now = Date.UTC(2026, 0, 1);
  const header = signCallback('s3cret', body, now / 1000);
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifyCallback('s3cret', header, body, 300, now)).toBe(true);
  expect(verifyCallback('s3cret', header, body.replace('succeeded', 'failed'), 300, now)).toBe(false);
  expect(verifyCallback('other', header, body, 300, now)).toBe(false);
  expect(verifyCallback('s3cret', header, body, 300, now + 301_000)).toBe(false);
  expect(verifyCallback('s3cret', header.replace(/t=\d+/, `t=${now / 1000 + 1}`), body, 300, now)).toBe(false);
});
