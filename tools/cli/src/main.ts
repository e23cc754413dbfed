import { Command, CommanderError } from 'commander';
import { TaskyardApiError } from '@taskyard/client';
import { ExitCode, UsageError, exitCodeOfError } from './exit-codes';
import { registerScheduleCommands } from './commands/schedules';
import { registerTaskCommands } from './commands/tasks';

const EXIT_CODES_HELP = `
Exit codes: 0 ok (with --wait or watch: the task succeeded), 1 the task failed, 2 usage or configuration,
3 the task was cancelled, 4 not found, 5 refused by the API (4xx), 6 gateway unavailable (network, 429, 5xx).

Configuration: TASKYARD_URL and TASKYARD_API_KEY, or a JSON file {"url", "apiKey"} (mode 600) at
$TASKYARD_CONFIG, else $XDG_CONFIG_HOME/taskyard/config.json, else ~/.config/taskyard/config.json.`;

export function buildProgram(): Command {
  const program = new Command('taskyard')
    .description("Taskyard's background jobs from a shell")
    .option('--url <url>', 'the gateway (default: TASKYARD_URL, the config file, or http://127.0.0.1:8080)')
    .option('--config <file>', 'the config file to read')
    .option('--json', 'machine-readable output on stdout (watch: one JSON frame per line)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .showHelpAfterError();
  registerTaskCommands(program);
  registerScheduleCommands(program);
  return program;
}

function describe(err: unknown): string {
  if (err instanceof TaskyardApiError) return `error: ${err.message} (${err.status} ${err.code})${err.retryAfterSeconds !== undefined ? `, retry after ${err.retryAfterSeconds} s` : ''}`;
  if (err instanceof UsageError) return `error: ${err.message}`;
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `error: ${err instanceof Error ? err.message : String(err)}${cause}`;
}

/** Runs one command line; sets process.exitCode (see EXIT_CODES_HELP) rather than exiting, so output flushes. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version print and exit 0; a bad flag has already been described by commander.
      process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    process.stderr.write(`${describe(err)}\n`);
    process.exitCode = exitCodeOfError(err);
  }
}

if (require.main === module) void runCli(process.argv);
