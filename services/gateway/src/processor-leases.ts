import { randomUUID } from 'node:crypto';
import type { Channel, GetMessage } from 'amqplib';
import type { Model } from 'mongoose';
import {
  HEADER,
  backoffFor,
  isTerminal,
  TASK_PRIORITIES,
  leaseCheckQueueName,
  priorityQueueName,
  type ArtifactRef,
  type ClaimedTask,
  type JobTypeDefinition,
  type LeaseAnswer,
  type TaskError,
  type TaskMessage,
} from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { parseJson, publishDeadLetter, publishEvent, publishRetry, type BrokerConnection, type ConfirmPublisher } from '@taskyard/messaging';
import {
  claimId,
  insertUnique,
  readTask,
  taskMessageOf,
  type ClaimSettlementRecord,
  type JobTypePauseRecord,
  type ProcessorClaimRecord,
  type ProcessorModels,
  type TaskRecord,
} from '@taskyard/tasks';
import type { Principal } from './api-keys';
import { BrokerDown, Forbidden, LeaseLost, NotProcessedOutside, TaskNotFound } from './errors';
import type { JobCatalog } from './job-catalog';

/** What a claim or report needs of the task: one read by `_id`. */
export type LeasedTask = Pick<
  TaskRecord,
  '_id' | 'type' | 'owner' | 'title' | 'tag' | 'params' | 'status' | 'attempt' | 'maxAttempts' | 'parentId' | 'createdAt' | 'cancelRequestedAt'
>;
const LEASED_TASK_FIELDS = {
  _id: 1, type: 1, owner: 1, title: 1, tag: 1, params: 1, status: 1, attempt: 1, maxAttempts: 1, parentId: 1, createdAt: 1, cancelRequestedAt: 1,
} as const;

/** A held, unsettled lease and its task: what heartbeat, upload and completion act on. */
export interface HeldLease {
  claim: ProcessorClaimRecord;
  task: LeasedTask;
  def: JobTypeDefinition;
}

/** How a report ends an attempt. */
export type Settlement =
  | { outcome: 'succeeded'; artifacts: ArtifactRef[]; result?: Record<string, unknown> }
  | { outcome: 'failed'; error: TaskError; retry: boolean }
  | { outcome: 'cancelled' };

/** What the lease-expiry check decided about one claim. */
export type LeaseCheck = 'gone' | 'settled' | 'extended' | 'expired';

/** A queued message skipped without being offered (a cancelled or stale attempt) counts against this bound. */
const MAX_SKIPS_PER_CLAIM = 20;
/** A completion is the last event of its run: no heartbeat of the same run may come after it. */
const FINAL_SEQ = Number.MAX_SAFE_INTEGER;

export interface ProcessorLeasesDeps {
  models: ProcessorModels & { Task: Model<TaskRecord>; Pause: Model<JobTypePauseRecord> };
  broker: BrokerConnection;
  publisher: ConfirmPublisher;
  catalog: JobCatalog;
  logger: Logger;
  dbTimeoutMs: number;
}

/**
 * External job types: HTTP processors claim a type's next task with a lease, heartbeat to keep it and
 * report the outcome. Pending tasks stay in the type's broker queue (a claim takes one message); who
 * holds an attempt is decided by the unique insert of its claim, and how the attempt ends (a report, or
 * the lease's expiry) by the unique insert of its settlement. Reports become status events: the status
 * service stays the task's only writer.
 */
export class ProcessorLeases {
  constructor(private readonly deps: ProcessorLeasesDeps) {}

  private externalType(type: string): JobTypeDefinition {
    const def = this.deps.catalog.get(type);
    if (!def.processedOutside) throw new NotProcessedOutside(type, this.externalTypes());
    return def;
  }

  externalTypes(): string[] {
    return this.deps.catalog.list().filter((d) => d.processedOutside).map((d) => d.type);
  }

  private readTask(id: string): Promise<LeasedTask | null> {
    return readTask<LeasedTask>(this.deps.models.Task, id, LEASED_TASK_FIELDS, this.deps.dbTimeoutMs);
  }

  /** False for an attempt no processor should get: the task is gone, finished, being cancelled, or past it. */
  private offerable(task: LeasedTask | null, attempt: number): task is LeasedTask {
    if (!task || isTerminal(task.status) || task.cancelRequestedAt) return false;
    if (task.attempt > attempt) return false;
    // Written off already (its lease passed): the next attempt's message is on its way.
    return !(task.status === 'retrying' && task.attempt >= attempt);
  }

  /** The next task of `type` for this processor, or null when none is waiting. */
  async claim(who: Principal, type: string, processor?: string): Promise<ClaimedTask | null> {
    const def = this.externalType(type);
    // A paused type's processors, like its workers, take nothing new (the pause is a document `_id` = type).
    if (await this.deps.models.Pause.collection.findOne({ _id: type } as never, { maxTimeMS: this.deps.dbTimeoutMs })) return null;
    const conn = this.deps.broker.connection;
    if (!conn) throw new BrokerDown();
    const ch = await conn.createChannel();
    try {
      for (let skipped = 0; skipped < MAX_SKIPS_PER_CLAIM; skipped++) {
        const msg = await this.nextMessage(ch, type);
        if (!msg) return null;
        const claimed = await this.tryClaim(def, msg, who, processor);
        // Acked only once the claim is recorded: a gateway that dies before leaves the message to the broker.
        ch.ack(msg);
        if (claimed) return claimed;
      }
      return null;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** The next waiting message of a type, its high-priority queue first, then normal, then low. */
  private async nextMessage(ch: Channel, type: string): Promise<GetMessage | null> {
    for (const priority of TASK_PRIORITIES) {
      const msg = await ch.get(priorityQueueName(type, priority), { noAck: false });
      if (msg) return msg;
    }
    return null;
  }

  private async tryClaim(def: JobTypeDefinition, msg: GetMessage, who: Principal, processor?: string): Promise<ClaimedTask | null> {
    const body = parseJson<TaskMessage>(msg.content);
    const headerAttempt = Number(msg.properties.headers?.[HEADER.attempt]);
    const attempt = Number.isInteger(headerAttempt) && headerAttempt > 0 ? headerAttempt : body.attempt;
    const task = await this.readTask(body.id);
    if (!this.offerable(task, attempt)) return null;
    const now = new Date();
    const claim: ProcessorClaimRecord = {
      _id: claimId(task._id, attempt),
      taskId: task._id,
      type: def.type,
      attempt,
      leaseId: randomUUID(),
      holder: who.principal,
      ...(processor ? { processor } : {}),
      claimedAt: now,
      leaseUntil: new Date(now.getTime() + def.limits.leaseMs),
    };
    if (!(await insertUnique(this.deps.models.Claim, claim as unknown as { _id: string } & Record<string, unknown>))) {
      // A second message of an attempt already held: make sure its lease is watched, and drop this one.
      await this.scheduleCheck(def, claim._id);
      return null;
    }
    try {
      await this.scheduleCheck(def, claim._id);
      await publishEvent(this.deps.publisher, {
        kind: 'started',
        taskId: task._id,
        type: def.type,
        attempt,
        runId: claim.leaseId,
        seq: 1,
        workerId: `http:${who.principal}${processor ? `/${processor}` : ''}`,
      });
    } catch (err) {
      // Nobody knows this lease yet: take it back so the requeued message can be claimed again as it is.
      await this.deps.models.Claim.collection.deleteOne({ _id: claim._id } as never).catch(() => undefined);
      throw err;
    }
    return {
      leaseId: claim.leaseId,
      leaseExpiresAt: claim.leaseUntil.toISOString(),
      task: {
        id: task._id,
        type: task.type,
        title: task.title,
        owner: task.owner,
        ...(task.tag ? { tag: task.tag } : {}),
        params: task.params ?? {},
        attempt,
        maxAttempts: task.maxAttempts,
        createdAt: new Date(task.createdAt).toISOString(),
      },
    };
  }

  /** Publishes a lease check: it comes back after half a lease to see whether the lease has passed. */
  private scheduleCheck(def: JobTypeDefinition, id: string): Promise<void> {
    return this.deps.publisher.publish('', leaseCheckQueueName(def.type), { claimId: id, type: def.type }, { messageId: randomUUID() });
  }

  /** A task's claims, oldest attempt first (attempts are few: one `_id` read each, side by side). */
  private async claimsOf(task: LeasedTask): Promise<ProcessorClaimRecord[]> {
    const attempts = Array.from({ length: Math.max(task.maxAttempts, task.attempt, 1) }, (_, i) => i + 1);
    const claims = await Promise.all(
      attempts.map((a) => this.deps.models.Claim.collection.findOne({ _id: claimId(task._id, a) } as never, { maxTimeMS: this.deps.dbTimeoutMs }) as Promise<ProcessorClaimRecord | null>),
    );
    return claims.filter((c): c is ProcessorClaimRecord => c !== null);
  }

  private settlementOf(id: string): Promise<ClaimSettlementRecord | null> {
    return this.deps.models.Settlement.collection.findOne({ _id: id } as never, { maxTimeMS: this.deps.dbTimeoutMs }) as Promise<ClaimSettlementRecord | null>;
  }

  /**
   * The lease `who` holds on a task, checked: the task is of an external type, its latest attempt is
   * claimed by this key (and `leaseId` when given), not yet settled, and not past its lease (a lease found
   * past is expired here and now, so the task is offered again at once).
   */
  async held(who: Principal, taskId: string, leaseId?: string): Promise<HeldLease> {
    const task = await this.readTask(taskId);
    if (!task) throw new TaskNotFound(taskId);
    const def = this.externalType(task.type);
    const claims = await this.claimsOf(task);
    const claim = claims[claims.length - 1];
    if (!claim) throw new LeaseLost(`task ${taskId} is not claimed; claim it first`);
    if (claim.holder !== who.principal) {
      const mine = claims.filter((c) => c.holder === who.principal).pop();
      // A processor whose own lease passed hears so (409); one that never held the task is refused (403).
      if (mine) throw new LeaseLost(`the lease of task ${taskId} (attempt ${mine.attempt}) has passed; the task is now held by another processor`);
      throw new Forbidden(`task ${taskId} is held by another processor`);
    }
    if (leaseId !== undefined && claim.leaseId !== leaseId) throw new LeaseLost(`lease ${leaseId} is not the current lease of task ${taskId} (attempt ${claim.attempt} is held under another)`);
    const settled = await this.settlementOf(claim._id);
    if (settled) throw new LeaseLost(`the lease of task ${taskId} (attempt ${claim.attempt}) has ended: ${settled.outcome}`);
    if (claim.leaseUntil.getTime() < Date.now()) {
      await this.expire(claim, task, def);
      throw new LeaseLost(`the lease of task ${taskId} (attempt ${claim.attempt}) passed at ${claim.leaseUntil.toISOString()}; the task is offered again`);
    }
    return { claim, task, def };
  }

  /** Extends the lease by the type's lease time; with `progress`, records it too (both are status events). */
  async heartbeat(who: Principal, taskId: string, leaseId?: string, progress?: number): Promise<LeaseAnswer> {
    const { claim, task, def } = await this.held(who, taskId, leaseId);
    const now = Date.now();
    const leaseUntil = new Date(now + def.limits.leaseMs);
    // The holder is this document's only writer after its insert.
    await this.deps.models.Claim.collection.updateOne({ _id: claim._id } as never, { $set: { leaseUntil } }, { maxTimeMS: this.deps.dbTimeoutMs });
    const base = { taskId, type: task.type, attempt: claim.attempt, runId: claim.leaseId, seq: 2 + now - claim.claimedAt.getTime() };
    await publishEvent(this.deps.publisher, progress === undefined ? { ...base, kind: 'heartbeat' } : { ...base, kind: 'progress', progress });
    return { leaseExpiresAt: leaseUntil.toISOString(), cancelRequested: Boolean(task.cancelRequestedAt) };
  }

  /** Ends a held attempt with a processor's report; the settlement's unique insert races the lease's expiry. */
  async settle(lease: HeldLease, s: Settlement): Promise<void> {
    const { claim, task, def } = lease;
    if (!(await insertUnique(this.deps.models.Settlement, { _id: claim._id, outcome: s.outcome, at: new Date() }))) {
      const settled = await this.settlementOf(claim._id);
      throw new LeaseLost(`the lease of task ${task._id} (attempt ${claim.attempt}) has ended: ${settled?.outcome ?? 'settled'}`);
    }
    const base = { taskId: task._id, type: task.type, attempt: claim.attempt, runId: claim.leaseId, seq: FINAL_SEQ };
    try {
      if (s.outcome === 'succeeded') {
        await publishEvent(this.deps.publisher, { ...base, kind: 'succeeded', artifacts: s.artifacts, ...(s.result ? { result: s.result } : {}) });
      } else if (s.outcome === 'cancelled') {
        await publishEvent(this.deps.publisher, { ...base, kind: 'cancelled' });
      } else {
        await this.fail(task, def, claim, s.error, s.retry);
      }
    } catch (err) {
      // Not reported after all: free the settlement so the processor can send its report again.
      await this.deps.models.Settlement.collection.deleteOne({ _id: claim._id } as never).catch(() => undefined);
      throw err;
    }
  }

  /** A failed attempt: the next one is queued (after the type's back-off) while attempts are left, else dead-lettered. */
  private async fail(task: LeasedTask, def: JobTypeDefinition, claim: ProcessorClaimRecord, error: TaskError, retry: boolean): Promise<void> {
    const base = { taskId: task._id, type: task.type, attempt: claim.attempt, runId: claim.leaseId, seq: FINAL_SEQ };
    if (retry && claim.attempt < task.maxAttempts) {
      const delay = backoffFor(def.limits, claim.attempt);
      await publishRetry(this.deps.publisher, taskMessageOf(task, claim.attempt + 1), delay);
      await publishEvent(this.deps.publisher, { ...base, kind: 'failed', error, final: false, retryAt: new Date(Date.now() + delay).toISOString() });
      return;
    }
    await publishDeadLetter(this.deps.publisher, taskMessageOf(task, claim.attempt), error);
    await publishEvent(this.deps.publisher, { ...base, kind: 'failed', error, final: true });
  }

  /**
   * A lease that passed: the attempt counts as failed and the task is offered again (or fails for good
   * after its last attempt). Only the winner of the settlement's insert acts, so this runs once per attempt.
   */
  private async expire(claim: ProcessorClaimRecord, task: LeasedTask, def: JobTypeDefinition): Promise<boolean> {
    if (!(await insertUnique(this.deps.models.Settlement, { _id: claim._id, outcome: 'expired', at: new Date() }))) return false;
    const final = claim.attempt >= task.maxAttempts;
    const delay = backoffFor(def.limits, claim.attempt);
    const error = { code: 'lease-expired', message: `The processor holding attempt ${claim.attempt} stopped reporting before its lease passed.` };
    if (final) await publishDeadLetter(this.deps.publisher, taskMessageOf(task, claim.attempt), error);
    else await publishRetry(this.deps.publisher, taskMessageOf(task, claim.attempt + 1), delay);
    await publishEvent(this.deps.publisher, {
      kind: 'heartbeat-lost',
      taskId: task._id,
      type: task.type,
      runId: claim.leaseId,
      final,
      ...(final ? {} : { retryAt: new Date(Date.now() + delay).toISOString() }),
    });
    this.deps.logger.warn({ taskId: task._id, attempt: claim.attempt, holder: claim.holder, final }, 'processor lease expired');
    return true;
  }

  /** A lease check come back (see scheduleCheck): expire the lease if it passed, else look again later. */
  async check(id: string): Promise<LeaseCheck> {
    const claim = (await this.deps.models.Claim.collection.findOne({ _id: id } as never, { maxTimeMS: this.deps.dbTimeoutMs })) as ProcessorClaimRecord | null;
    if (!claim) return 'gone';
    if (await this.settlementOf(id)) return 'settled';
    const def = this.deps.catalog.types.get(claim.type);
    const task = await this.readTask(claim.taskId);
    if (!def || !task) return 'gone';
    if (claim.leaseUntil.getTime() >= Date.now()) {
      await this.scheduleCheck(def, id);
      return 'extended';
    }
    return (await this.expire(claim, task, def)) ? 'expired' : 'settled';
  }
}
