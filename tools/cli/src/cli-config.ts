import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './exit-codes';

/** Where the CLI finds the gateway and its key. */
export interface CliConfig {
  url: string;
  apiKey: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** `$TASKYARD_CONFIG`, else `$XDG_CONFIG_HOME/taskyard/config.json`, else `~/.config/taskyard/config.json`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TASKYARD_CONFIG) return env.TASKYARD_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'taskyard', 'config.json');
}

interface ConfigFile {
  url?: unknown;
  apiKey?: unknown;
}

function readConfigFile(file: string, explicit: boolean): ConfigFile {
  if (!existsSync(file)) {
    if (explicit) throw new UsageError(`config file ${file} does not exist`);
    return {};
  }
  // The file holds a key: refuse one others can read, as ssh does with private keys.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new UsageError(`config file ${file} is readable by others: chmod 600 it`);
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as ConfigFile;
  } catch (err) {
    throw new UsageError(`config file ${file} is not a JSON object {"url", "apiKey"}: ${(err as Error).message}`);
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The flags win over the environment (`TASKYARD_URL`, `TASKYARD_API_KEY`), which wins over the config
 * file. The key is never taken from a flag: command lines are visible to every user of the machine.
 */
export function resolveConfig(flags: { url?: string; config?: string }, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const file = readConfigFile(flags.config ?? defaultConfigPath(env), flags.config !== undefined || env.TASKYARD_CONFIG !== undefined);
  const url = text(flags.url) ?? text(env.TASKYARD_URL) ?? text(file.url) ?? DEFAULT_URL;
  const apiKey = text(env.TASKYARD_API_KEY) ?? text(file.apiKey);
  if (!apiKey) {
    throw new UsageError(`no API key: set TASKYARD_API_KEY or put {"apiKey": "..."} in ${flags.config ?? defaultConfigPath(env)}`);
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`the gateway URL ${JSON.stringify(url)} is not an http(s) URL`);
  }
  return { url, apiKey };
}
