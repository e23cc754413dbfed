import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_URL, defaultConfigPath, resolveConfig } from './cli-config';
import { UsageError } from './exit-codes';

const dir = mkdtempSync(path.join(tmpdir(), 'taskyard-config-'));

function configFile(content: string, mode = 0o600): string {
  const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

test('flags beat the environment, which beats the file; the URL defaults to the local gateway', () => {
  const file = configFile(JSON.stringify({ url: 'http://file:1', apiKey: 'file-key' }));
  expect(resolveConfig({ config: file }, {})).toEqual({ url: 'http://file:1', apiKey: 'file-key' });
  expect(resolveConfig({ config: file }, { TASKYARD_URL: 'http://env:2', TASKYARD_API_KEY: 'env-key' })).toEqual({ url: 'http://env:2', apiKey: 'env-key' });
  expect(resolveConfig({ config: file, url: 'https://flag:3' }, {}).url).toBe('https://flag:3');
  expect(resolveConfig({}, { TASKYARD_API_KEY: 'k', XDG_CONFIG_HOME: dir }).url).toBe(DEFAULT_URL);
});

test('the config file path follows TASKYARD_CONFIG, then XDG_CONFIG_HOME', () => {
  expect(defaultConfigPath({ TASKYARD_CONFIG: '/x/c.json' })).toBe('/x/c.json');
  expect(defaultConfigPath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/taskyard/config.json');
});

test('no key, a bad URL, a named file that is missing, unreadable JSON or an open file: usage errors', () => {
  expect(() => resolveConfig({}, { XDG_CONFIG_HOME: dir })).toThrow(/no API key/);
  expect(() => resolveConfig({ url: 'file:///etc/passwd' }, { TASKYARD_API_KEY: 'k', XDG_CONFIG_HOME: dir })).toThrow(/not an http\(s\) URL/);
  expect(() => resolveConfig({ config: path.join(dir, 'none.json') }, {})).toThrow(/does not exist/);
  expect(() => resolveConfig({ config: configFile('[1,2]') }, {})).toThrow(/not a JSON object/);
  expect(() => resolveConfig({ config: configFile('{"apiKey":"k"}', 0o644) }, {})).toThrow(UsageError);
});
