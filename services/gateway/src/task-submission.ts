import { randomUUID } from 'node:crypto';
import type { JobTypeDefinition } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { publishTask, type ConfirmPublisher } from '@taskyard/messaging';
import { isDuplicateKey, releaseSlot, takeSlot, taskMessageOf, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import { BrokerDown, IdempotencyMismatch, InvalidParams, InvalidRequest, QuotaExceeded } from './errors';
import { Idempotency, type IdempotentTask } from './idempotency';
import type { InFlight } from './in-flight';
import type { JobCatalog } from './job-catalog';
import type { GatewayMetrics } from './metrics';
import { fingerprintDifferences, fingerprintOf, type RequestFingerprint } from './request-fingerprint';

export interface SubmitRequest {
  owner: string;
  type: string;
  title?: string;
  params: Record<string, unknown>;
  tag?: string;
  callbackUrl?: string;
  idempotencyKey?: string;
  /** Only a replay of a fan-out child sets it; the API never takes it from a client. */
  parentId?: string;
  /** SHA-256 of the uploaded file, when there is one: part of what an idempotent repeat must match. */
  fileSha256?: string;
}

/** Something stored beside the task (an upload) once its id is known; undone if the task is not stored. */
export interface StagedAttachment {
  params: Record<string, unknown>;
  discard(): Promise<void>;
}
export type Stager = (taskId: string) => Promise<StagedAttachment>;

/**
 * An owner's place under a type's unfinished limit, taken before an upload's body is read (so a refused
 * upload costs nothing to read); the task that is stored takes it over, otherwise it is released.
 */
export interface HeldSlot {
  taskId: string;
  type: string;
  slot: string;
  /** True once a stored task holds the slot. */
  taken: boolean;
}

export interface SubmitOutcome {
  id: string;
  status: TaskRecord['status'];
  /** False when an Idempotency-Key named an existing task. */
  created: boolean;
}

type NewTask = Omit<TaskRecord, 'error' | 'startedAt' | 'finishedAt' | 'expiresAt' | 'durationMs'>;

/**
 * Accepts a task in at most two database writes on the happy path (its slot under the owner's limit, then
 * the task) and publishes it with a confirm. If the broker does not confirm, the task goes to the outbox
 * (a third write) and is still accepted: the relay publishes it later. After the insert the gateway never
 * writes the task again; the status service does.
 */
export class TaskSubmission {
  private readonly idempotency: Idempotency;

  constructor(
    private readonly models: TaskModels,
    private readonly publisher: ConfirmPublisher,
    private readonly catalog: JobCatalog,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly inFlight: InFlight,
    dbTimeoutMs: number,
  ) {
    this.idempotency = new Idempotency(models.Task, models.Slot, dbTimeoutMs);
  }

  /** The checks that need no database: the type exists, its params are valid, a file comes iff it takes one. */
  check(req: Pick<SubmitRequest, 'type' | 'params'>, withFile: boolean): JobTypeDefinition {
    const def = this.catalog.get(req.type);
    this.catalog.validate(def, req.params);
    if (def.upload && !withFile) {
      throw new InvalidParams(`file is required: ${def.type} takes a zip upload (multipart/form-data with a "file" part)`, [
        { instancePath: '/file', keyword: 'required', params: { missingProperty: 'file' }, message: 'a zip file is required' },
      ]);
    }
    if (!def.upload && withFile) {
      throw new InvalidParams(`file is not accepted: ${def.type} takes no upload`, [
        { instancePath: '/file', keyword: 'not', params: {}, message: 'this job type takes no file' },
      ]);
    }
    return def;
  }

  /** Takes the owner's slot for `type` before an upload is read: 429 at once when the owner is at the limit. */
  async holdSlot(owner: string, type: unknown): Promise<HeldSlot> {
    if (typeof type !== 'string') {
      throw new InvalidRequest('send the "type" field before the "file" part: an upload is checked against its job type before it is read');
    }
    const def = this.catalog.get(type);
    const taskId = randomUUID();
    const slot = await takeSlot(this.models.Slot, owner, def.type, def.limits.unfinishedPerOwner, taskId);
    if (!slot) {
      this.metrics.rejected.inc({ type: def.type, code: 'quota-exceeded' });
      throw new QuotaExceeded(def.type, def.limits.unfinishedPerOwner);
    }
    return { taskId, type: def.type, slot, taken: false };
  }

  /** Frees a held slot no stored task took over. */
  async releaseHeld(held: HeldSlot | undefined): Promise<void> {
    if (held && !held.taken) await this.undo(held.taskId, held.slot);
  }

  submit(req: SubmitRequest, stage?: Stager, held?: HeldSlot): Promise<SubmitOutcome> {
    return this.inFlight.run(() => this.accept(req, stage, held));
  }

  private async accept(req: SubmitRequest, stage?: Stager, held?: HeldSlot): Promise<SubmitOutcome> {
    const def = this.check(req, stage !== undefined);
    if (held && held.type !== def.type) throw new InvalidRequest(`the "type" field names ${def.type}, but the upload was received for ${held.type}`);
    const fingerprint = req.idempotencyKey ? fingerprintOf(req) : undefined;
    const idem = req.idempotencyKey ? await this.idempotency.lookup(req.owner, req.idempotencyKey) : undefined;
    if (idem?.existing) return this.repeat(req, idem.existing, fingerprint);

    const id = held?.taskId ?? randomUUID();
    const limit = def.limits.unfinishedPerOwner;
    const slot = held?.slot ?? (await takeSlot(this.models.Slot, req.owner, def.type, limit, id));
    if (!slot) {
      const twin = idem && (await this.idempotency.awaitTwin(idem.scope, req.owner, def.type, limit));
      if (twin) return this.repeat(req, twin, fingerprint);
      this.metrics.rejected.inc({ type: def.type, code: 'quota-exceeded' });
      throw new QuotaExceeded(def.type, limit);
    }

    let staged: StagedAttachment | undefined;
    let task: NewTask;
    try {
      staged = stage ? await stage(id) : undefined;
      task = this.newTask(id, def, req, slot, idem && fingerprint && { scope: idem.scope, fingerprint }, staged?.params);
      await this.models.Task.collection.insertOne(withoutUndefined(task) as never);
      if (held) held.taken = true;
    } catch (err) {
      await this.undo(id, slot, staged);
      const winner = idem && isDuplicateKey(err) ? await this.idempotency.winner(idem.scope) : null;
      if (winner) return this.repeat(req, winner, fingerprint);
      throw err;
    }
    if (!(await this.dispatch(task))) {
      await this.withdraw(task, slot, staged);
      throw new BrokerDown('the task could neither be queued nor kept for later; nothing was stored, try again shortly');
    }
    this.metrics.submitted.inc({ type: def.type });
    return { id, status: 'queued', created: true };
  }

  /** The first task of a repeated key, when the repeat is the same request; 422 naming what differs otherwise. */
  private repeat(req: SubmitRequest, task: IdempotentTask, fingerprint?: RequestFingerprint): SubmitOutcome {
    // Tasks stored before fingerprints existed have none: they are taken as matching.
    const differ = task.idempotencyFingerprint && fingerprint ? fingerprintDifferences(task.idempotencyFingerprint as RequestFingerprint, fingerprint) : [];
    if (differ.length) throw new IdempotencyMismatch(req.idempotencyKey ?? '', task._id, differ);
    return { id: task._id, status: task.status, created: false };
  }

  private newTask(
    id: string,
    def: JobTypeDefinition,
    req: SubmitRequest,
    slot: string,
    idem?: { scope: string; fingerprint: RequestFingerprint },
    extra?: Record<string, unknown>,
  ): NewTask {
    const now = new Date();
    return {
      _id: id,
      type: def.type,
      title: req.title?.trim() || def.title,
      owner: req.owner,
      tag: req.tag,
      params: { ...req.params, ...extra },
      status: 'queued',
      progress: 0,
      attempt: 0,
      maxAttempts: def.limits.maxAttempts,
      artifacts: [],
      logs: [],
      idempotencyKey: req.idempotencyKey,
      idempotencyScope: idem?.scope,
      idempotencyFingerprint: idem?.fingerprint,
      callbackUrl: req.callbackUrl,
      parentId: req.parentId,
      createdAt: now,
      queuedAt: now,
      slotId: slot,
    };
  }

  private async undo(id: string, slot: string, staged?: StagedAttachment): Promise<void> {
    await releaseSlot(this.models.Slot, slot, id).catch((err: Error) => this.logger.error({ err: err.message, slot }, 'could not free a slot'));
    await staged?.discard().catch((err: Error) => this.logger.error({ err: err.message, taskId: id }, 'could not discard an upload'));
  }

  /**
   * Publishes with a confirm; anything unconfirmed goes to the outbox for the relay, and the task stands.
   * False when neither happened (the broker and the database both failing).
   */
  private async dispatch(task: NewTask): Promise<boolean> {
    try {
      await publishTask(this.publisher, taskMessageOf(task, 1));
      return true;
    } catch (err) {
      this.logger.warn({ taskId: task._id, err: (err as Error).message }, 'publish not confirmed; task left in the outbox');
    }
    try {
      await this.models.Outbox.collection.insertOne({ _id: task._id, createdAt: new Date() } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) {
        this.logger.error({ taskId: task._id, err: (err as Error).message }, 'task neither published nor in the outbox');
        return false;
      }
    }
    this.metrics.outboxed.inc({ type: task.type });
    return true;
  }

  /**
   * Takes back a task nobody has seen (never published, not in the outbox): its insert is undone rather
   * than left queued with no message. No other service knows the task yet, so this delete races no writer.
   */
  private async withdraw(task: NewTask, slot: string, staged?: StagedAttachment): Promise<void> {
    await this.models.Task.collection
      .deleteOne({ _id: task._id } as never)
      .catch((err: Error) => this.logger.error({ taskId: task._id, err: err.message }, 'could not withdraw an unqueued task'));
    await this.undo(task._id, slot, staged);
  }
}

/** The driver stores `undefined` as null, which a sparse unique index would count; leave such fields out. */
function withoutUndefined<T extends object>(doc: T): Partial<T> {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)) as Partial<T>;
}
