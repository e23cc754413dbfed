import type { ApiErrorBody } from '@taskyard/contracts';

/** An answer of the API outside 2xx, with its error body: `code` is the API's (`task-not-found`, ...). */
export class TaskyardApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** From `Retry-After` (429, 503): when asking again makes sense. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TaskyardApiError';
  }

  /** Worth asking again later: rate limited or the service briefly unavailable. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503 || this.status === 502 || this.status === 504;
  }
}

const isErrorBody = (v: unknown): v is ApiErrorBody =>
  typeof v === 'object' && v !== null && typeof (v as ApiErrorBody).error === 'object' && typeof (v as ApiErrorBody).error?.code === 'string';

/** The typed error of a failed response (its body read here): a body outside the error format still names the status. */
export async function apiErrorOf(res: Response): Promise<TaskyardApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 && res.headers.has('retry-after') ? retryAfter : undefined;
  if (isErrorBody(body)) return new TaskyardApiError(res.status, body.error.code, body.error.message, body.error.details, retryAfterSeconds);
  return new TaskyardApiError(res.status, `http-${res.status}`, `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`, undefined, retryAfterSeconds);
}
