import { TaskyardClient } from '@taskyard/client';
import type { Command } from 'commander';
import { resolveConfig } from './cli-config';
import { consoleOutput, type Output } from './output';

/** The global flags every command reads. */
export interface GlobalFlags {
  url?: string;
  config?: string;
  json?: boolean;
}

export interface CommandContext {
  client: TaskyardClient;
  out: Output;
}

/** The client and output of a command, from the program's global flags (config read only when a command runs). */
export function contextOf(command: Command): CommandContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const config = resolveConfig(flags);
  return { client: new TaskyardClient({ baseUrl: config.url, apiKey: config.apiKey }), out: consoleOutput(Boolean(flags.json)) };
}
