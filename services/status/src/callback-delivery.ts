import http from 'node:http';
import https from 'node:https';
import type { ConsumeMessage } from 'amqplib';
import {
  CALLBACK_QUEUE,
  CALLBACK_SIGNATURE_HEADER,
  callbackDelayQueue,
  callbackUrlProblem,
  type CallbackAttempt,
  type CallbackMessage,
  type CallbackState,
} from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson, type ConfirmPublisher, type Settlement } from '@taskyard/messaging';
import { isDuplicateKey, type TaskModels } from '@taskyard/tasks';
import { AddressRefused, guardedLookup, literalAddressProblem } from '@taskyard/address-guard';
import { signCallback } from './callback-signature';
import type { StatusMetrics } from './status-metrics';

export interface CallbackConfig {
  /** The deployment's signing secret (generated at first start; never a built-in default). */
  secret: string;
  /** Hosts an admin allows even though they resolve to private or loopback addresses. */
  allowedHosts: string[];
  /** One attempt's deadline. */
  timeoutMs: number;
  /** The waits before the 2nd, 3rd... attempt; its length + 1 attempts in all. */
  backoffMs: number[];
}

export const DEFAULT_CALLBACK_BACKOFF_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000];
export const DEFAULT_CALLBACK_TIMEOUT_MS = 10_000;

/** What became of one attempt. */
export enum Outcome {
  Delivered = 'delivered',
  /** Worth another attempt: no answer, a 5xx, 408 or 429. */
  Retry = 'retry',
  /** Another attempt would end the same: refused address, redirect, other 4xx, bad URL. */
  GiveUp = 'give-up',
}

interface AttemptResult {
  outcome: Outcome;
  attempt: CallbackAttempt;
}

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return Outcome.Delivered;
  if (status >= 500 || status === 408 || status === 429) return Outcome.Retry;
  return Outcome.GiveUp;
}

/** Only the origin is ever logged or stored: a path or query may carry the receiver's token. */
const originOf = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
};

/**
 * Delivers callbacks from the `callbacks` queue, apart from the event folds (a slow receiver never delays
 * a task's status): a signed POST that follows no redirect and reaches no private address, each attempt
 * recorded on the task's delivery record, retried with back-off through TTL delay queues.
 */
export class CallbackDelivery {
  private readonly allowed: ReadonlySet<string>;
  private readonly lookup;

  constructor(
    private readonly models: TaskModels,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly config: CallbackConfig,
    private readonly metrics?: StatusMetrics,
  ) {
    this.allowed = new Set(config.allowedHosts.map((h) => h.toLowerCase()));
    this.lookup = guardedLookup(this.allowed);
  }

  /** Queues the first attempt (called by the terminal effect; the delivery record is made by the attempt). */
  static enqueue(publisher: ConfirmPublisher, msg: CallbackMessage): Promise<void> {
    return publisher.publish('', CALLBACK_QUEUE, msg, { messageId: `${msg.taskId}:callback:${msg.attempt}` });
  }

  async handle(raw: ConsumeMessage): Promise<Settlement> {
    const msg = parseJson<CallbackMessage>(raw.content);
    if (msg.attempt === 1 && msg.claim && !(await this.claimed(msg))) {
      this.metrics?.callbackDeliveries.inc({ outcome: 'duplicate' });
      this.logger.info({ taskId: msg.taskId }, 'callback queued again; already being delivered');
      return 'ack';
    }
    const { outcome, attempt } = await this.attempt(msg);
    const last = msg.attempt > this.config.backoffMs.length;
    const state: CallbackState = outcome === Outcome.Delivered ? 'delivered' : outcome === Outcome.Retry && !last ? 'pending' : 'failed';
    await this.models.CallbackDelivery.collection.updateOne(
      { _id: msg.taskId } as never,
      { $push: { attempts: attempt }, $set: { state }, $setOnInsert: { origin: originOf(msg.url), createdAt: new Date() } } as never,
      { upsert: true, maxTimeMS: 15_000 },
    );
    this.metrics?.callbackDeliveries.inc({ outcome: state === 'pending' ? 'retry' : state });
    const log = { taskId: msg.taskId, origin: originOf(msg.url), attempt: msg.attempt, status: attempt.status, error: attempt.error };
    if (state === 'pending') {
      const delay = this.config.backoffMs[msg.attempt - 1];
      await this.publisher.publish('', callbackDelayQueue(delay), { ...msg, attempt: msg.attempt + 1 }, { messageId: `${msg.taskId}:callback:${msg.attempt + 1}` });
      this.logger.warn({ ...log, retryInMs: delay }, 'callback not delivered; retrying');
    } else if (state === 'failed') {
      this.logger.warn(log, 'callback not delivered; given up');
    } else {
      this.logger.info(log, 'callback delivered');
    }
    return 'ack';
  }

  /**
   * Decides which queuing of a task's callback is delivered, by a unique insert of its delivery record with
   * the claim: true for the first claim (also when its own message comes again), false for any other.
   */
  private async claimed(msg: CallbackMessage): Promise<boolean> {
    const Deliveries = this.models.CallbackDelivery.collection;
    try {
      await Deliveries.insertOne({ _id: msg.taskId, claim: msg.claim, state: 'pending', attempts: [], origin: originOf(msg.url), createdAt: new Date() } as never);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = (await Deliveries.findOne({ _id: msg.taskId } as never, { projection: { claim: 1 }, maxTimeMS: 15_000 })) as { claim?: string } | null;
      return held?.claim === msg.claim;
    }
  }

  private async attempt(msg: CallbackMessage): Promise<AttemptResult> {
    const at = new Date().toISOString();
    const problem = callbackUrlProblem(msg.url) ?? literalAddressProblem(new URL(msg.url).hostname, this.allowed);
    if (problem) return { outcome: Outcome.GiveUp, attempt: { at, error: `refused: the callback URL ${problem}` } };
    try {
      const status = await this.post(new URL(msg.url), msg.body);
      const outcome = outcomeOf(status);
      const error = status >= 300 && status < 400 ? `answered ${status}: redirects are not followed` : outcome === Outcome.Delivered ? undefined : `answered ${status}`;
      return { outcome, attempt: { at, status, ...(error ? { error } : {}) } };
    } catch (err) {
      if (err instanceof AddressRefused) return { outcome: Outcome.GiveUp, attempt: { at, error: `refused: ${err.message}` } };
      return { outcome: Outcome.Retry, attempt: { at, error: (err as Error).message } };
    }
  }

  /** One POST, signed now; redirects are answers, never followed. Resolves with the status code. */
  private post(url: URL, body: string): Promise<number> {
    const transport = url.protocol === 'https:' ? https : http;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'taskyard-callback',
      [CALLBACK_SIGNATURE_HEADER]: signCallback(this.config.secret, body),
    };
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: 'POST', headers, lookup: this.lookup, agent: false, timeout: this.config.timeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${this.config.timeoutMs} ms`)), this.config.timeoutMs);
      req.on('close', () => clearTimeout(deadline));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.config.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
