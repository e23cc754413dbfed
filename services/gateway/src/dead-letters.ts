import type { Channel, GetMessage } from 'amqplib';
import type { Model } from 'mongoose';
import { deadQueueName, HEADER, type TaskError, type TaskMessage } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { BrokerUnavailable, parseJson, type BrokerConnection } from '@taskyard/messaging';
import type { TaskRecord } from '@taskyard/tasks';
import { ApiFailure } from './errors';
import type { TaskSubmission } from './task-submission';

export interface DeadLetterView {
  taskId: string;
  title: string;
  owner: string;
  attempt: number;
  error: TaskError;
  deadAt: string | null;
}

export interface DeadLetterList {
  items: DeadLetterView[];
  /** Every dead letter of the type; more than `items` when the queue holds more than one read returns. */
  total: number;
}

export interface ReplayOutcome {
  replayed: { taskId: string; newTaskId: string }[];
  /** Dead letters left in place, e.g. because their owner is at the unfinished limit. */
  skipped: { taskId: string; reason: string }[];
  /** Asked-for ids that are not among the type's dead letters. */
  unknown: string[];
}

const DEAD_AT = 'x-taskyard-dead-at';
/** How many dead letters one request reads (and so lists or replays) at most. */
export const MAX_READ = 500;
/** How long a turn waits for the letters it held to be back in the queue, and how often it looks. */
const RETURN_WAIT_MS = 2000;
const RETURN_POLL_MS = 10;


function header(msg: GetMessage, name: string): unknown {
  return (msg.properties.headers ?? {})[name];
}

function viewOf(msg: GetMessage, task: TaskMessage): DeadLetterView {
  const code = header(msg, HEADER.errorCode);
  const message = header(msg, HEADER.errorMessage);
  const deadAt = header(msg, DEAD_AT);
  return {
    taskId: String(header(msg, HEADER.taskId) ?? task.id),
    title: task.title,
    owner: task.owner,
    attempt: Number(header(msg, HEADER.attempt) ?? task.attempt),
    error: { code: typeof code === 'string' ? code : 'unknown', message: typeof message === 'string' ? message : '' },
    deadAt: typeof deadAt === 'string' ? deadAt : null,
  };
}

type DeadRecord = Pick<TaskRecord, 'callbackUrl' | 'parentId' | 'tag'>;

/**
 * `tasks.<type>.dead`, read without consuming: messages are fetched with basic.get on a channel of their
 * own, and closing that channel returns every one not acked to the queue, in order. While one read holds
 * the messages another would see only the rest, so the reads of one type take turns (listing, counting and
 * replaying alike): parallel requests all see every dead letter.
 */
export class DeadLetters {
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly broker: BrokerConnection,
    private readonly submission: TaskSubmission,
    private readonly Task: Model<TaskRecord>,
    private readonly logger: Logger,
    private readonly dbTimeoutMs = 5000,
  ) {}

  /** Runs `work` after every earlier turn on `type` in this process has finished. */
  private inTurn<T>(type: string, work: () => Promise<T>): Promise<T> {
    const before = this.turns.get(type) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.catch(() => undefined);
    this.turns.set(type, settled);
    void settled.then(() => {
      if (this.turns.get(type) === settled) this.turns.delete(type);
    });
    return mine;
  }

  private async withChannel<T>(type: string, work: (ch: Channel) => Promise<T>): Promise<T> {
    const conn = this.broker.connection;
    if (!conn) throw new BrokerUnavailable();
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message, type }, 'dead-letter channel error'));
    try {
      return await work(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** `acked` tells how many of the letters `work` acked (removed): the others must come back. */
  private withMessages<T>(type: string, work: (ch: Channel, msgs: GetMessage[], total: number) => Promise<T>, acked: (result: T) => number = () => 0): Promise<T> {
    return this.inTurn(type, async () => {
      let expected = 0;
      const result = await this.withChannel(type, async (ch) => {
        const { messageCount } = await ch.checkQueue(deadQueueName(type));
        const msgs: GetMessage[] = [];
        while (msgs.length < MAX_READ) {
          const msg = await ch.get(deadQueueName(type), { noAck: false });
          if (!msg) break;
          msgs.push(msg);
        }
        const out = await work(ch, msgs, Math.max(messageCount, msgs.length));
        expected = Math.max(messageCount, msgs.length) - acked(out);
        return out;
      });
      await this.returned(type, expected);
      return result;
    });
  }

  /**
   * Waits (bounded) until the letters this turn held are back in the queue: a quorum queue takes them back
   * through its log after the channel closes, so the next turn's reads could otherwise miss some.
   */
  private async returned(type: string, expected: number): Promise<void> {
    if (expected <= 0) return;
    const deadline = Date.now() + RETURN_WAIT_MS;
    await this.withChannel(type, async (ch) => {
      while ((await ch.checkQueue(deadQueueName(type))).messageCount < expected && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, RETURN_POLL_MS));
      }
    });
  }

  /** How many dead letters the type has now (not the management API's sampled figure, which lags). */
  count(type: string): Promise<number> {
    return this.inTurn(type, () => this.withChannel(type, async (ch) => (await ch.checkQueue(deadQueueName(type))).messageCount));
  }

  peek(type: string): Promise<DeadLetterList> {
    return this.withMessages(type, async (_ch, msgs, total) => ({ items: msgs.map((m) => viewOf(m, parseJson<TaskMessage>(m.content))), total }));
  }

  /**
   * Submits each chosen dead task (every one read when `taskIds` is absent) again as a NEW task of its
   * original owner, with its tag, callback URL and parent (its terminal state stays as it is), taking a
   * slot under the owner's limit like any submission, and only then acks the dead letter.
   */
  replay(type: string, taskIds?: string[]): Promise<ReplayOutcome> {
    const wanted = taskIds ? new Set(taskIds) : undefined;
    return this.withMessages(type, async (ch, msgs) => {
      const outcome: ReplayOutcome = { replayed: [], skipped: [], unknown: [] };
      const seen = new Set<string>();
      for (const msg of msgs) {
        const task = parseJson<TaskMessage>(msg.content);
        seen.add(task.id);
        if (wanted && !wanted.has(task.id)) continue;
        try {
          const newTaskId = await this.resubmit(task);
          ch.ack(msg);
          outcome.replayed.push({ taskId: task.id, newTaskId });
        } catch (err) {
          if (!(err instanceof ApiFailure)) throw err;
          outcome.skipped.push({ taskId: task.id, reason: `${err.code}: ${err.message}` });
        }
      }
      outcome.unknown = [...(wanted ?? [])].filter((id) => !seen.has(id));
      return outcome;
    }, (outcome) => outcome.replayed.length);
  }

  private async resubmit(task: TaskMessage): Promise<string> {
    // The message does not carry the callback URL; the stored task (read by its id) does.
    const stored = await this.Task.findOne({ _id: task.id }, { callbackUrl: 1, parentId: 1, tag: 1 }).maxTimeMS(this.dbTimeoutMs).lean<DeadRecord>().exec();
    const submitted = await this.submission.submit({
      owner: task.owner,
      type: task.type,
      title: task.title,
      params: task.params,
      tag: task.tag ?? stored?.tag,
      callbackUrl: stored?.callbackUrl,
      parentId: task.parentId ?? stored?.parentId,
    });
    return submitted.id;
  }
}
