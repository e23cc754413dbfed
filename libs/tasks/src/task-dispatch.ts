import type { Logger } from '@taskyard/logging';
import { dispatchTask, type ConfirmPublisher } from '@taskyard/messaging';
import type { NewTask } from './new-task';
import { outboxTaskIds, type Outbox, type OutboxTicket } from './outbox';
import type { OutboxRecord, TaskModels } from './task-model';
import { firstMessageOf } from './task-message-of';
import type { TaskRecord } from './task-record';
import { readTask } from './task-outcome';

/** Where a stored task's first message went: confirmed by the broker, or left to the outbox relay. */
export type DispatchResult = 'published' | 'outboxed';

/**
 * Publishes just-inserted tasks, whose outbox entry was written before them (Outbox.enter), side by side
 * with a confirm each (to the task's queue, or to the scheduled waits while its runAt is ahead). A task the
 * broker did not confirm gets an entry of its own, due at once, for the relay. The tasks stand either way.
 */
export async function dispatchOrOutbox(
  outbox: Outbox,
  ticket: OutboxTicket,
  publisher: ConfirmPublisher,
  tasks: NewTask[],
  logger: Logger,
  /** 'background': answer once the broker confirmed, the entry's delete follows (Outbox.close waits for it). */
  settle: 'await' | 'background' = 'await',
): Promise<DispatchResult[]> {
  const results = await Promise.all(
    tasks.map(async (task): Promise<DispatchResult> => {
      try {
        await dispatchTask(publisher, firstMessageOf(task));
        return 'published';
      } catch (err) {
        logger.warn({ taskId: task._id, err: (err as Error).message }, 'publish not confirmed; task left in the outbox');
        return 'outboxed';
      }
    }),
  );
  const unconfirmed = tasks.filter((_, i) => results[i] === 'outboxed').map((t) => t._id);
  const kept =
    unconfirmed.length === 0 ||
    (await outbox.keepDue(unconfirmed).then(
      () => true,
      (err: Error) => {
        logger.warn({ err: err.message, tasks: unconfirmed.length }, 'unconfirmed tasks left to their group\'s entry (relayed after its grace period)');
        return false;
      },
    ));
  const settled = kept ? tasks : tasks.filter((_, i) => results[i] === 'published');
  // An entry left behind only costs a second (harmless) publish by a relay.
  if (settle === 'background') ticket.release(settled.map((t) => t._id));
  else await ticket.settle(settled.map((t) => t._id)).catch((err: Error) => logger.warn({ err: err.message }, 'outbox entry left to a relay'));
  return results;
}

type RelayTask = Pick<TaskRecord, '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'maxAttempts' | 'parentId' | 'createdAt' | 'status' | 'priority' | 'runAt' | 'stage' | 'slotId' | 'callbackUrl'>;
// slotId and callbackUrl too: the first message carries them (firstMessageOf).
const RELAY_FIELDS = { type: 1, owner: 1, title: 1, tag: 1, params: 1, maxAttempts: 1, parentId: 1, createdAt: 1, status: 1, priority: 1, runAt: 1, stage: 1, slotId: 1, callbackUrl: 1 } as const;
/** Task reads under way at once while relaying a group's entry. */
const RELAY_READS = 16;

/**
 * Relays one due outbox entry: publishes each of its tasks still waiting, then deletes the entry. A task
 * past `queued` was delivered after all (a confirm that timed out), and a missing one was never inserted
 * (its submit stopped before, or gave up: see Outbox); nothing to publish for either. The entry goes only
 * after the broker confirmed what it published, so a crash in between publishes twice (workers tolerate a
 * duplicate), never zero times. Returns how many tasks were published.
 */
export async function relayOutboxEntry(models: Pick<TaskModels, 'Task' | 'Outbox'>, publisher: ConfirmPublisher, entry: OutboxRecord, maxTimeMS: number): Promise<number> {
  const ids = outboxTaskIds(entry);
  let published = 0;
  for (let i = 0; i < ids.length; i += RELAY_READS) {
    await Promise.all(
      ids.slice(i, i + RELAY_READS).map(async (id) => {
        // One read by _id per task: FerretDB answers `_id: {$in: [...]}` with a table scan.
        const task = await readTask<RelayTask>(models.Task, id, RELAY_FIELDS, maxTimeMS);
        if (task?.status !== 'queued' && task?.status !== 'scheduled') return;
        await dispatchTask(publisher, firstMessageOf(task), { republished: true });
        published++;
      }),
    );
  }
  await models.Outbox.deleteOne({ _id: entry._id }).maxTimeMS(maxTimeMS);
  return published;
}
