import { isTerminal, type TaskStatus } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';
import { insertUnique, type TaskModels } from '@taskyard/tasks';
import type { Principal } from './api-keys';
import { BrokerDown, NotCancellable } from './errors';
import type { InFlight } from './in-flight';
import type { TaskQueries } from './task-queries';

/**
 * A cancel is a request to the status service, never a write to the task (design rule 3). The request
 * document `<taskId>:cancel` is inserted once however many race (a unique `_id`), and only the winner
 * publishes the `cancel-requested` event. If that publish fails, the request is removed so a retry can win.
 */
export class TaskCancellation {
  constructor(
    private readonly models: TaskModels,
    private readonly queries: TaskQueries,
    private readonly publisher: ConfirmPublisher,
    private readonly logger: Logger,
    private readonly inFlight: InFlight,
  ) {}

  cancel(who: Principal, id: string): Promise<{ id: string; status: TaskStatus }> {
    return this.inFlight.run(() => this.request(who, id));
  }

  private async request(who: Principal, id: string): Promise<{ id: string; status: TaskStatus }> {
    const task = await this.queries.view(who, id);
    if (isTerminal(task.status)) throw new NotCancellable(id, task.status);
    const requestId = `${id}:cancel`;
    // One request per task: of 30 racing cancels exactly one inserts it, and only that one publishes.
    const first = await insertUnique(this.models.TaskRequest, { _id: requestId, taskId: id, kind: 'cancel', by: who.principal, at: new Date() });
    if (!first) return { id, status: task.status };
    try {
      await publishEvent(this.publisher, { kind: 'cancel-requested', taskId: id, type: task.type, requestedBy: who.principal });
    } catch (err) {
      this.logger.warn({ taskId: id, err: (err as Error).message }, 'cancel request not published; withdrawn');
      await this.models.TaskRequest.deleteOne({ _id: requestId });
      throw new BrokerDown('the cancel request could not be delivered; try again shortly');
    }
    return { id, status: task.status };
  }
}
