/** An error answer of the gateway (`{error: {code, message, details?}}`), or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes the console gives failures that never reached, or never came back from, the gateway. */
export const NETWORK_ERROR = 'network-error';
export const BAD_RESPONSE = 'bad-response';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/** Turns an HTTP status and its body text into an ApiError, whatever the body turned out to be. */
export function apiErrorFrom(status: number, bodyText: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) {
    const { code, message, details } = body.error;
    return new ApiError(status, code, message ?? code, details);
  }
  // A proxy or a crashed server can answer without the error envelope: keep the status as the code.
  return new ApiError(status, status === 0 ? NETWORK_ERROR : `http-${status}`, bodyText.slice(0, 200) || `HTTP ${status}`);
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(0, NETWORK_ERROR, message);
}
