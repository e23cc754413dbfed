import { ApiError, BAD_RESPONSE, NETWORK_ERROR } from './api-error';

/** What the console tells a person about an API error: a short headline and what to do about it. */
export interface ErrorMessage {
  title: string;
  hint: string;
  /** The server's own wording, shown beneath when it adds something. */
  detail?: string;
}

const MESSAGES: Record<string, { title: string; hint: string }> = {
  unauthorized: { title: 'API key not accepted', hint: 'Check the key and sign in again.' },
  forbidden: { title: 'Not allowed', hint: 'This API key may not do that; the server says why below.' },
  'not-found': { title: 'Not found', hint: 'It does not exist, or it belongs to someone else.' },
  'quota-exceeded': {
    title: 'Limit of unfinished tasks reached',
    hint: 'You already have as many unfinished tasks of this type as allowed. Wait for one to finish, or cancel one, then submit again.',
  },
  'rate-limited': {
    title: 'Too many submissions for now',
    hint: 'This API key may submit only so many tasks a minute. Wait a moment, then submit again.',
  },
  'invalid-params': { title: 'Some fields need attention', hint: 'Correct the fields marked below and submit again.' },
  'malformed-json': { title: 'The request was not valid JSON', hint: 'Reload the page and try again.' },
  'unknown-type': { title: 'Unknown job type', hint: 'This job type is not available on this server. Reload the page to see the current list.' },
  'upload-too-large': { title: 'The file is too large', hint: 'Split the data into smaller zips, or remove files that are not imported.' },
  'invalid-zip': {
    title: 'The file is not a usable zip',
    hint: 'Upload one .zip file holding pupils.csv, classes.csv, spelling_results.csv and/or assessment_scores.csv, with no folders outside the zip and within the size limits.',
  },
  'artifact-expired': {
    title: 'The file has expired',
    hint: 'Output files are deleted after the retention period. Submit the task again to get a fresh copy.',
  },
  'not-cancellable': { title: 'The task can no longer be cancelled', hint: 'It has already finished.' },
  conflict: { title: 'The task changed meanwhile', hint: 'Reload the page to see its current state.' },
  [NETWORK_ERROR]: { title: 'Cannot reach the server', hint: 'Check your connection; the console retries live updates by itself.' },
  [BAD_RESPONSE]: { title: 'Unexpected answer from the server', hint: 'Try again in a moment.' },
};

function fallback(error: ApiError): { title: string; hint: string } {
  if (error.status === 429) return MESSAGES['quota-exceeded'];
  if (error.status === 413) return MESSAGES['upload-too-large'];
  if (error.status === 401) return MESSAGES.unauthorized;
  if (error.status === 403) return MESSAGES.forbidden;
  if (error.status === 404) return MESSAGES['not-found'];
  if (error.status >= 500) return { title: 'The server had a problem', hint: 'Try again in a moment. If it persists, tell an administrator.' };
  return { title: 'The request was refused', hint: 'Check what you entered and try again.' };
}

/** The message for an error; the server's own message is kept as the detail unless it merely repeats the title. */
export function errorMessage(error: ApiError): ErrorMessage {
  const known = MESSAGES[error.code] ?? fallback(error);
  const detail = error.message && error.message.toLowerCase() !== known.title.toLowerCase() ? error.message : undefined;
  return { ...known, detail };
}

/** What a task's own error code (set by a worker or the platform, not an HTTP answer) means for the user. */
const TASK_ERROR_HINTS: Record<string, string> = {
  'expired-in-queue': 'It waited in the queue longer than allowed without a worker taking it. Submit it again; if this repeats, tell an administrator.',
  timeout: 'The job ran longer than its time limit and was stopped. Try a smaller scope (one class, a shorter period).',
  'heartbeat-lost': 'The worker running it stopped responding. It is retried automatically while attempts remain.',
  'child-failed': 'One or more of its parts failed; their pages say why.',
  'invalid-zip': MESSAGES['invalid-zip'].hint,
  internal: 'Something went wrong on the server. Try again; if this repeats, tell an administrator.',
};

export function taskErrorHint(code: string): string | undefined {
  return TASK_ERROR_HINTS[code];
}
