import type { Channel, GetMessage } from 'amqplib';
import { deadQueueName, HEADER, type TaskError, type TaskMessage } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { BrokerUnavailable, parseJson, type BrokerConnection } from '@taskyard/messaging';
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

export interface ReplayOutcome {
  replayed: { taskId: string; newTaskId: string }[];
  /** Dead letters left in place, e.g. because their owner is at the unfinished limit. */
  skipped: { taskId: string; reason: string }[];
}

const DEAD_AT = 'x-taskyard-dead-at';
/** How many dead letters one request reads at most. */
const MAX_READ = 500;

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

/**
 * `tasks.<type>.dead`, read without consuming: messages are fetched with basic.get on a channel of their
 * own, and closing that channel returns every one not acked to the queue, in order.
 */
export class DeadLetters {
  constructor(
    private readonly broker: BrokerConnection,
    private readonly submission: TaskSubmission,
    private readonly logger: Logger,
  ) {}

  private async withMessages<T>(type: string, work: (ch: Channel, msgs: GetMessage[]) => Promise<T>): Promise<T> {
    const conn = this.broker.connection;
    if (!conn) throw new BrokerUnavailable();
    const ch = await conn.createChannel();
    ch.on('error', (err: Error) => this.logger.warn({ err: err.message, type }, 'dead-letter channel error'));
    try {
      const msgs: GetMessage[] = [];
      while (msgs.length < MAX_READ) {
        const msg = await ch.get(deadQueueName(type), { noAck: false });
        if (!msg) break;
        msgs.push(msg);
      }
      return await work(ch, msgs);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  peek(type: string): Promise<DeadLetterView[]> {
    return this.withMessages(type, async (_ch, msgs) => msgs.map((m) => viewOf(m, parseJson<TaskMessage>(m.content))));
  }

  /**
   * Submits each chosen dead task again as a NEW task of its original owner (its terminal state stays as
   * it is), taking a slot under the owner's limit like any submission, and only then acks the dead letter.
   */
  replay(type: string, taskIds?: string[]): Promise<ReplayOutcome> {
    const wanted = taskIds ? new Set(taskIds) : undefined;
    return this.withMessages(type, async (ch, msgs) => {
      const outcome: ReplayOutcome = { replayed: [], skipped: [] };
      for (const msg of msgs) {
        const task = parseJson<TaskMessage>(msg.content);
        if (wanted && !wanted.has(task.id)) continue;
        try {
          const submitted = await this.submission.submit({ owner: task.owner, type: task.type, title: task.title, params: task.params, tag: task.tag });
          ch.ack(msg);
          outcome.replayed.push({ taskId: task.id, newTaskId: submitted.id });
        } catch (err) {
          if (!(err instanceof ApiFailure)) throw err;
          outcome.skipped.push({ taskId: task.id, reason: `${err.code}: ${err.message}` });
        }
      }
      return outcome;
    });
  }
}
