import { isBlockedAddress, literalAddressProblem } from './address-guard';

test.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])(
  '%s is refused',
  (ip) => expect(isBlockedAddress(ip)).toBe(true),
);

test.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.215.14'])('%s is allowed', (ip) => expect(isBlockedAddress(ip)).toBe(false));

test('a literal address is judged without a lookup; an allowed host passes', () => {
  expect(literalAddressProblem('127.0.0.1', new Set())).toMatch(/loopback/);
  expect(literalAddressProblem('[::1]', new Set())).toMatch(/loopback/);
  expect(literalAddressProblem('127.0.0.1', new Set(['127.0.0.1']))).toBeUndefined();
  expect(literalAddressProblem('hooks.example.com', new Set())).toBeUndefined();
});
