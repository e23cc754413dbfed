import { TaskyardApiError } from '@taskyard/client';
import type { TaskStatus } from '@taskyard/contracts';

/**
 * What `taskyard` exits with, so a shell script can tell outcomes apart. Stable: scripts depend on them.
 */
export enum ExitCode {
  /** Done; with --wait or watch: the task succeeded. */
  Ok = 0,
  /** With --wait or watch: the task failed. */
  TaskFailed = 1,
  /** The command line or the configuration is wrong (no API key, a bad flag). */
  Usage = 2,
  /** With --wait or watch: the task was cancelled. */
  TaskCancelled = 3,
  /** The task, file or schedule does not exist (or is another owner's). */
  NotFound = 4,
  /** The API refused the request (401, 403, 409, 422, a 400 naming the problem...). */
  Refused = 5,
  /** The gateway could not be reached or was unavailable (network error, 429, 5xx): try again later. */
  Unavailable = 6,
}

/** The exit code of a finished task's status. */
export function exitCodeOfStatus(status: TaskStatus): ExitCode {
  if (status === 'succeeded') return ExitCode.Ok;
  if (status === 'cancelled') return ExitCode.TaskCancelled;
  return ExitCode.TaskFailed;
}

/** Wrong usage found by the CLI itself, before any request. */
export class UsageError extends Error {}

export function exitCodeOfError(err: unknown): ExitCode {
  if (err instanceof UsageError) return ExitCode.Usage;
  if (!(err instanceof TaskyardApiError)) return ExitCode.Unavailable;
  if (err.status === 404 || err.status === 410) return ExitCode.NotFound;
  if (err.retryable || err.status >= 500) return ExitCode.Unavailable;
  return ExitCode.Refused;
}
