import { BadAllowListEntry, HostAllowList, outboundUrlProblem, type OutboundRules } from './host-allow-list';

const rules: OutboundRules = {
  allowed: new HostAllowList('ALLOWED', 'api.example.com, Data.Example.org., metrics.example.net:8443, 93.184.215.14, [2606:4700::1111]'),
  privateHosts: new HostAllowList('PRIVATE', 'localhost,10.0.0.7'),
};
const problem = (url: string) => outboundUrlProblem(url, rules);

test.each([
  'https://api.example.com/v1/items',
  'http://API.EXAMPLE.COM/x',
  'https://api.example.com./x',
  'https://api.example.com:9000/any-port-when-the-entry-names-none',
  'https://data.example.org/x',
  'https://metrics.example.net:8443/x',
  'http://93.184.215.14/x',
  'http://[2606:4700:0:0:0:0:0:1111]/x',
  'http://localhost:3000/x',
  'http://10.0.0.7/x',
])('%s is allowed', (url) => expect(problem(url)).toBeUndefined());

test.each([
  // The user name is not the host: this goes to evil.example.
  ['https://api.example.com@evil.example/x', 'bad-url', undefined],
  ['https://user:pw@api.example.com/x', 'bad-url', undefined],
  ['ftp://api.example.com/x', 'bad-url', undefined],
  ['file:///etc/passwd', 'bad-url', undefined],
  ['not a url', 'bad-url', undefined],
  // Backslashes are slashes to the URL parser (and to the worker, which uses the same one).
  ['https://evil.example\\@api.example.com/x', 'host-not-allowed', 'evil.example'],
  ['https://api.example.com.evil.example/x', 'host-not-allowed', 'api.example.com.evil.example'],
  ['https://evil.example/?https://api.example.com', 'host-not-allowed', 'evil.example'],
  ['https://metrics.example.net/x', 'host-not-allowed', 'metrics.example.net'],
  ['https://metrics.example.net:8444/x', 'host-not-allowed', 'metrics.example.net:8444'],
  // Decimal, octal and hex spellings of 127.0.0.1 are read as the address they are.
  ['http://2130706433/x', 'host-not-allowed', '127.0.0.1'],
  ['http://0177.0.0.1/x', 'host-not-allowed', '127.0.0.1'],
  ['http://0x7f.1/x', 'host-not-allowed', '127.0.0.1'],
  ['http://[::1]/x', 'host-not-allowed', '::1'],
  ['http://[::ffff:127.0.0.1]/x', 'host-not-allowed', '::ffff:7f00:1'],
  ['http://169.254.169.254/latest/meta-data', 'host-not-allowed', '169.254.169.254'],
])('%s is refused (%s)', (url, code, host) => {
  const p = problem(url);
  expect(p?.code).toBe(code);
  expect(p?.host).toBe(host);
  if (code === 'host-not-allowed') expect(p?.message).toContain('(ALLOWED)');
});

test('an allowed literal private address is refused unless it is allowed to be private, naming that setting', () => {
  const open = { allowed: new HostAllowList('ALLOWED', '10.0.0.8,127.0.0.1'), privateHosts: new HostAllowList('PRIVATE', '') };
  expect(outboundUrlProblem('http://10.0.0.8/x', open)).toMatchObject({ code: 'address-refused', host: '10.0.0.8', message: expect.stringContaining('(PRIVATE)') });
  expect(outboundUrlProblem('http://2130706433:81/x', open)).toMatchObject({ code: 'address-refused', host: '127.0.0.1:81' });
});

test('entries are read as a URL parser reads hosts; a bad one fails at start naming the setting', () => {
  const list = new HostAllowList('ALLOWED', ' 0x7f.0.0.1 , ::1 ,, EXAMPLE.com:80');
  expect([...list.hosts].sort()).toEqual(['127.0.0.1', '::1', 'example.com']);
  expect(list.allows(new URL('http://example.com/'))).toBe(true);
  expect(list.allows(new URL('https://example.com/'))).toBe(false);
  for (const bad of ['a/b', 'user@host', 'host?x', 'ho st']) expect(() => new HostAllowList('ALLOWED', bad)).toThrow(BadAllowListEntry);
  expect(() => new HostAllowList('ALLOWED', 'a/b')).toThrow(/ALLOWED: "a\/b"/);
});
