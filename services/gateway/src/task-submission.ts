import { randomUUID } from 'node:crypto';
import { MAX_DELAY_MS, callbackUrlProblem, type JobTypeDefinition, type TaskPriority } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import type { ConfirmPublisher } from '@taskyard/messaging';
import {
  InsertBatcher,
  ListMarks,
  Outbox,
  dispatchOrOutbox,
  isDuplicateKey,
  newTaskRecord,
  releaseSlot,
  takeSlot,
  type NewTask,
  type OutboxTicket,
  type TaskModels,
  type TaskRecord,
} from '@taskyard/tasks';
import { DatabaseDown, IdempotencyMismatch, InvalidParams, InvalidRequest, QuotaExceeded } from './errors';
import { Idempotency, type IdempotentTask } from './idempotency';
import type { InFlight } from './in-flight';
import type { JobCatalog } from './job-catalog';
import type { GatewayMetrics } from './metrics';
import { fingerprintDifferences, fingerprintOf, type RequestFingerprint } from './request-fingerprint';

export interface SubmitRequest {
  /** A task id chosen by the caller (an adapter that recorded it first); a fresh UUID when absent. */
  id?: string;
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
  /** ISO time: not started before it (at most 30 days ahead). */
  runAt?: string;
  /** Or: not started before this many ms from now. */
  delayMs?: number;
  priority?: TaskPriority;
  /** Set by the retry route: the task this one retries; at most one retry per task (a unique scope). */
  retryOf?: string;
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


/**
 * Accepts a task in two database writes on the happy path (its slot under the owner's limit, then the
 * task) and a share of two more (an outbox entry for the submits under way, written before their tasks, and
 * its delete once the broker has confirmed their messages), so a gateway killed at any point leaves
 * nothing stuck: a relay publishes the tasks of an entry left behind and skips those never inserted. The
 * submit answers once the task is stored; the publish runs after the answer (dispatchInBackground). If
 * the broker does not confirm, the task is still accepted and the relay publishes it later. After the
 * insert the gateway never writes the task again; the status service does.
 */
export class TaskSubmission {
  private readonly idempotency: Idempotency;
  private readonly marks: ListMarks;
  /** Submits arriving together are stored by one insertMany; each still gets its own answer. */
  private readonly inserts: InsertBatcher;
  /** The process's outbox (batch submits share it: one group commit). */
  readonly outbox: Outbox;

  constructor(
    private readonly models: TaskModels,
    private readonly publisher: ConfirmPublisher,
    private readonly catalog: JobCatalog,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly inFlight: InFlight,
    dbTimeoutMs: number,
    /** How long the outbox relays leave a fresh entry alone (default OUTBOX_GRACE_MS). */
    outboxGraceMs?: number,
  ) {
    this.outbox = new Outbox(models.Outbox, outboxGraceMs, (err) => logger.warn({ err: err.message }, 'outbox entry left to a relay'));
    this.idempotency = new Idempotency(models.Task, models.Slot, dbTimeoutMs);
    this.marks = new ListMarks(models.ListMark, dbTimeoutMs);
    this.inserts = new InsertBatcher(() => ({ db: models.Task.db.db!, collection: models.Task.collection.collectionName }), { maxTimeMS: dbTimeoutMs });
  }

  /** The checks that need no database: the type exists, its params are valid, a file comes iff it takes one. */
  check(req: Pick<SubmitRequest, 'type' | 'params' | 'runAt' | 'delayMs' | 'callbackUrl'>, withFile: boolean): JobTypeDefinition {
    const def = this.catalog.get(req.type);
    this.catalog.validate(def, req.params);
    startTime(req);
    const urlProblem = req.callbackUrl === undefined ? undefined : callbackUrlProblem(req.callbackUrl);
    if (urlProblem) {
      throw new InvalidParams(`callbackUrl ${urlProblem}`, [{ instancePath: '/callbackUrl', keyword: 'format', params: {}, message: urlProblem }]);
    }
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
    const idem = req.retryOf
      ? await this.idempotency.lookupScope(retryScope(req.retryOf))
      : req.idempotencyKey
        ? await this.idempotency.lookup(req.owner, req.idempotencyKey)
        : undefined;
    if (idem?.existing) return this.repeat(req, idem.existing, fingerprint);

    const stages = this.metrics.submitStage;
    // A fresh id comes already recorded in a stored outbox entry (written ahead, for the next submits too).
    const reserved = held || req.id ? undefined : await timed(stages, 'outbox', () => this.outbox.take());
    const id = held?.taskId ?? req.id ?? reserved!.id;
    const limit = def.limits.unfinishedPerOwner;
    let slot: string | null;
    try {
      slot = held?.slot ?? (await timed(stages, 'slot', () => takeSlot(this.models.Slot, req.owner, def.type, limit, id)));
    } catch (err) {
      reserved?.ticket.release([id]);
      throw err;
    }
    if (!slot) {
      // The reserved id goes unused: its entry need not wait for it.
      reserved?.ticket.release([id]);
      const twin = idem && (await this.idempotency.awaitTwin(idem.scope, req.owner, def.type, limit));
      if (twin) return this.repeat(req, twin, fingerprint);
      this.metrics.rejected.inc({ type: def.type, code: 'quota-exceeded' });
      throw new QuotaExceeded(def.type, limit);
    }

    let staged: StagedAttachment | undefined;
    let ticket: OutboxTicket | undefined = reserved?.ticket;
    let task: NewTask;
    try {
      staged = stage ? await stage(id) : undefined;
      task = this.newTask(id, def, req, slot, idem && { scope: idem.scope, fingerprint }, staged?.params);
      // The list marks go in before the task, so a list read right after the submit finds it (mostly cached: no write).
      await timed(stages, 'marks', () => this.marks.ensureFor(task));
      ticket ??= await timed(stages, 'outbox', () => this.outbox.enter([id]));
      if (Date.now() > ticket.insertBy) throw new DatabaseDown('the database was too slow to store the task; nothing was stored, try again shortly');
      await timed(stages, 'insert', () => this.inserts.insert(task));
      if (held) held.taken = true;
    } catch (err) {
      await this.undo(id, slot, staged, ticket);
      const winner = idem && isDuplicateKey(err) ? await this.idempotency.winner(idem.scope) : null;
      if (winner) return this.repeat(req, winner, fingerprint);
      throw err;
    }
    // Answered without waiting for the broker's confirm (7-48 ms, and the broker's to give): the task is
    // stored and its outbox entry stands until the confirm settles it, so a gateway killed before then
    // leaves the entry to a relay, and a graceful stop waits for the dispatch (see dispatchInBackground).
    this.dispatchInBackground(ticket, [task], def.type);
    this.metrics.submitted.inc({ type: def.type });
    return { id, status: task.status, created: true };
  }

  /**
   * Publishes stored tasks after their submit has answered. Counted in InFlight, so the gateway's graceful
   * shutdown waits for it (up to its drain period, longer than the broker's confirm deadline) before it
   * closes the outbox, the publisher and the database; started before the submit's own count ends, so the
   * count never drops to zero in between. A task the broker does not confirm is left to the outbox relay
   * and counted in `outboxed`, as when the submit waited for it. The entry's delete follows in the
   * background (Outbox.close waits for it).
   */
  dispatchInBackground(ticket: OutboxTicket, tasks: NewTask[], type: string): void {
    if (tasks.length === 0) return;
    void this.inFlight
      .run(() => timed(this.metrics.submitStage, 'publish', () => dispatchOrOutbox(this.outbox, ticket, this.publisher, tasks, this.logger, 'background')))
      .then(
        (dispatched) => {
          for (const d of dispatched) if (d === 'outboxed') this.metrics.outboxed.inc({ type });
        },
        // dispatchOrOutbox catches what the broker and the outbox throw; anything else still leaves the
        // tasks' entry unsettled, so a relay publishes them after its grace period.
        (err: Error) => this.logger.warn({ err: err.message, tasks: tasks.length }, 'dispatch failed; tasks left to the outbox relay'),
      );
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
    idem?: { scope: string; fingerprint?: RequestFingerprint },
    extra?: Record<string, unknown>,
  ): NewTask {
    return newTaskRecord({
      ...req,
      id,
      def,
      params: { ...req.params, ...extra },
      idempotencyScope: idem?.scope,
      idempotencyFingerprint: idem?.fingerprint,
      slotId: slot,
      runAt: startTime(req),
    });
  }

  /** Undoes what a submit that stored no task took: its slot, its upload, its share of an outbox entry. */
  private async undo(id: string, slot: string, staged?: StagedAttachment, ticket?: OutboxTicket): Promise<void> {
    await releaseSlot(this.models.Slot, slot, id).catch((err: Error) => this.logger.error({ err: err.message, slot }, 'could not free a slot'));
    await staged?.discard().catch((err: Error) => this.logger.error({ err: err.message, taskId: id }, 'could not discard an upload'));
    await ticket?.settle([id]).catch((err: Error) => this.logger.warn({ err: err.message, taskId: id }, 'outbox entry left to a relay'));
  }
}


/** The labels of each stage, made once (startTimer copied its labels and made a closure per stage of every submit). */
const STAGE_LABELS = new Map<string, { stage: string }>();
const stageLabels = (stage: string): { stage: string } => {
  let labels = STAGE_LABELS.get(stage);
  if (!labels) STAGE_LABELS.set(stage, (labels = { stage }));
  return labels;
};

/** Runs one stage of a submit, observing its duration (also when it fails). */
async function timed<T>(histogram: GatewayMetrics['submitStage'], stage: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    histogram.observe(stageLabels(stage), (performance.now() - start) / 1000);
  }
}

/** The idempotency scope of a retry: one retry task per retried task, decided by the unique index. */
export const retryScope = (taskId: string): string => `retry-of:${taskId}`;

/** When the task may start (undefined: now). A time in the past means now; more than 30 days ahead is refused. */
export function startTime(req: Pick<SubmitRequest, 'runAt' | 'delayMs'>, now = Date.now()): Date | undefined {
  if (req.runAt !== undefined && req.delayMs !== undefined) {
    throw new InvalidParams('give runAt or delayMs, not both', [{ instancePath: '/delayMs', keyword: 'not', params: {}, message: 'runAt is given too' }]);
  }
  const at = req.runAt !== undefined ? Date.parse(req.runAt) : req.delayMs !== undefined ? now + req.delayMs : undefined;
  if (at === undefined) return undefined;
  if (Number.isNaN(at)) throw new InvalidParams('runAt is not a date-time', [{ instancePath: '/runAt', keyword: 'format', params: {}, message: 'must be an ISO date-time' }]);
  if (at - now > MAX_DELAY_MS) {
    const field = req.runAt !== undefined ? '/runAt' : '/delayMs';
    throw new InvalidParams('a task may be delayed by at most 30 days', [{ instancePath: field, keyword: 'maximum', params: {}, message: 'at most 30 days ahead' }]);
  }
  return new Date(at);
}
