/**
 * Callbacks: a POST to a task's `callbackUrl` once it ends. The body is `CallbackBody`; the header
 * `Taskyard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` signs the timestamp with
 * the body under the deployment's callback secret, so a receiver can refuse forgeries and replays.
 */
export const CALLBACK_SIGNATURE_HEADER = 'taskyard-signature';

export interface CallbackBody {
  id: string;
  type: string;
  status: string;
  error?: { code: string; message: string };
  finishedAt?: string;
}

/** One delivery to make: the task's URL and the body to sign and POST (attempts count from 1). */
export interface CallbackMessage {
  taskId: string;
  url: string;
  body: string;
  attempt: number;
  /**
   * A first attempt's claim (a fresh id per queuing): the delivery starts for the first claim stored on the
   * task's delivery record, so a callback queued again (its finish effects repeated) is sent once.
   */
  claim?: string;
}

export type CallbackState = 'pending' | 'delivered' | 'failed';

export interface CallbackAttempt {
  at: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why the attempt failed, when it did. */
  error?: string;
}

/** What a task shows of its callback: the state and every attempt so far. */
export interface CallbackView {
  state: CallbackState;
  attempts: CallbackAttempt[];
}

/**
 * What makes a callback URL unacceptable whatever it resolves to (checked at submit and again at
 * delivery): not http(s), credentials in it, or no host. Addresses are checked at delivery, after resolving.
 */
export function callbackUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials (user:password@)';
  if (!url.hostname) return 'has no host';
  return undefined;
}
