import { createHmac, timingSafeEqual } from 'node:crypto';

/** `Taskyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (see CALLBACK_SIGNATURE_HEADER). */
const mac = (secret: string, t: number, body: string): string => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/** The `Taskyard-Signature` value for `body` sent at `t` (unix seconds). */
export function signCallback(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/** True when `header` signs `body` under `secret` and its timestamp is within `toleranceSeconds` of now. */
export function verifyCallback(secret: string, header: string, body: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, t, body), 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
