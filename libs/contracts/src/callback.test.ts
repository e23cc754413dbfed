import { callbackUrlProblem } from './callback';

test('callback URLs: http(s) only, no credentials', () => {
  expect(callbackUrlProblem('https://hooks.example.com/taskyard')).toBeUndefined();
  expect(callbackUrlProblem('ftp://example.com/')).toMatch(/http/);
  expect(callbackUrlProblem('https://user:pw@example.com/')).toMatch(/credentials/);
  expect(callbackUrlProblem('https://user@example.com/')).toMatch(/credentials/);
  expect(callbackUrlProblem('not a url')).toMatch(/not a URL/);
});
