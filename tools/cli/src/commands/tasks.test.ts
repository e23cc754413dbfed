import { paramsOf, safeFileName } from './tasks';

test('--params and --param merge, a JSON value taken as JSON and anything else as text', () => {
  expect(paramsOf({ params: '{"a":1,"b":"x"}', param: ['b=2', 'c=hello', 'd=true', 'e={"k":[1]}', 'f=a=b'] })).toEqual({ a: 1, b: 2, c: 'hello', d: true, e: { k: [1] }, f: 'a=b' });
  expect(paramsOf({})).toEqual({});
});

test('bad params are usage errors naming the flag', () => {
  expect(() => paramsOf({ params: '{' })).toThrow(/--params is not valid JSON/);
  expect(() => paramsOf({ params: '"text"' })).toThrow(/--params must be a JSON object/);
  expect(() => paramsOf({ param: ['=1'] })).toThrow(/--param takes key=value/);
});

test("a file name from the server never leaves the chosen folder", () => {
  expect(safeFileName('report.csv')).toBe('report.csv');
  expect(safeFileName('../../etc/cron.d/x')).toBe('x');
  expect(safeFileName('..\\..\\x.bat')).toBe('x.bat');
  expect(() => safeFileName('..')).toThrow(/refusing/);
  expect(() => safeFileName('/')).toThrow(/refusing/);
});
