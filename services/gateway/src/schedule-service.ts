import { randomUUID } from 'node:crypto';
import {
  type OccurrencePage,
  type ScheduleInput,
  type SchedulePatch,
  type TaskTemplateInput,
  type WorkflowTemplate,
  type OccurrenceView,
  type ScheduleTemplate,
  type ScheduleView,
} from '@taskyard/contracts';
import { InvalidCron, OccurrenceHistory, cronTimes, type OccurrenceRecord, type ScheduleModels, type ScheduleRecord } from '@taskyard/schedules';
import type { Principal } from './api-keys';
import { InvalidParams, ScheduleNotFound, TooManySchedules } from './errors';
import { submitTag } from './tag-access';
import { resolveWorkflow } from './workflow-definitions';
import type { JobCatalog } from './job-catalog';

export type { ScheduleInput, SchedulePatch, TaskTemplateInput } from '@taskyard/contracts';

/** Named limits of the schedules API. */
export const SCHEDULE_LIMITS = {
  /** Schedules one owner may have. */
  perOwner: 100,
  nextRuns: 5,
  /** Occurrences shown with a schedule (GET /v1/schedules/:id), and a history page's default size. */
  history: 20,
  /** The largest history page. */
  historyPageMax: 100,
  listMax: 500,
} as const;

const iso = (d: Date): string => new Date(d).toISOString();

/** What a template runs, in a schedule's default name. */
const templateName = (t: ScheduleTemplate): string => (t.kind === 'task' ? t.type : typeof t.workflow === 'string' ? t.workflow : t.workflow.name);

function occurrenceView(o: OccurrenceRecord): OccurrenceView {
  return {
    fireAt: iso(o.fireAt),
    outcome: o.outcome,
    at: iso(o.at),
    ...(o.taskId ? { taskId: o.taskId } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.catchUp ? { catchUp: true } : {}),
  };
}

/**
 * Cron schedules as owners and admins see them. Only the gateway writes a schedule, always the whole
 * document (a PATCH reads, merges and replaces), so no two partial updates of one schedule interleave.
 */
export class ScheduleService {
  private readonly occurrences: OccurrenceHistory;

  constructor(
    private readonly models: ScheduleModels,
    private readonly catalog: JobCatalog,
    private readonly timeoutMs: number,
  ) {
    this.occurrences = new OccurrenceHistory(models, timeoutMs);
  }

  /** Read by `_id` alone (one indexed field, INDEXES.md); another owner's schedule is not found, for users. */
  private async find(who: Principal, id: string): Promise<ScheduleRecord> {
    const s = await this.models.Schedule.findOne({ _id: id }).maxTimeMS(this.timeoutMs).lean<ScheduleRecord>().exec();
    if (!s || (who.role !== 'admin' && s.owner !== who.principal)) throw new ScheduleNotFound(id);
    return s;
  }

  /** Checks what no JSON Schema can: the cron and zone parse, the type exists, its params are valid. */
  private template(task: TaskTemplateInput | WorkflowTemplate): ScheduleTemplate {
    if ('kind' in task && task.kind === 'workflow') {
      resolveWorkflow(task.workflow, task.params ?? {}, this.catalog);
      return {
        kind: 'workflow',
        workflow: task.workflow,
        params: task.params ?? {},
        ...(task.title ? { title: task.title } : {}),
        ...(task.tag ? { tag: task.tag } : {}),
      };
    }
    return this.taskTemplate(task as TaskTemplateInput);
  }

  private taskTemplate(task: TaskTemplateInput): ScheduleTemplate {
    const def = this.catalog.get(task.type);
    if (def.upload) {
      throw new InvalidParams(`${def.type} takes a file upload and cannot be scheduled`, [
        { instancePath: '/task/type', keyword: 'not', params: {}, message: 'a type that takes an upload cannot be scheduled' },
      ]);
    }
    const params = task.params ?? {};
    this.catalog.validate(def, params);
    return {
      kind: 'task',
      type: def.type,
      params,
      ...(task.title ? { title: task.title } : {}),
      ...(task.tag ? { tag: task.tag } : {}),
      ...(task.priority && task.priority !== 'normal' ? { priority: task.priority } : {}),
    };
  }

  private checkCron(cron: string, timezone: string): void {
    try {
      cronTimes(cron, timezone);
    } catch (err) {
      if (!(err instanceof InvalidCron)) throw err;
      const field = err.message.includes('time zone') ? '/timezone' : '/cron';
      throw new InvalidParams(err.message, [{ instancePath: field, keyword: 'format', params: {}, message: err.message }]);
    }
  }

  async create(who: Principal, input: ScheduleInput): Promise<ScheduleView> {
    const timezone = input.timezone ?? 'UTC';
    this.checkCron(input.cron, timezone);
    // A key limited to tags schedules tasks of those tags only, as it submits them.
    const template = this.template({ ...input.task, tag: submitTag(who, input.task.tag) });
    const owned = await this.models.Schedule.countDocuments({ owner: who.principal }).maxTimeMS(this.timeoutMs).exec();
    if (owned >= SCHEDULE_LIMITS.perOwner) throw new TooManySchedules(SCHEDULE_LIMITS.perOwner);
    const now = new Date();
    const record: ScheduleRecord = {
      _id: randomUUID(),
      name: input.name?.trim() || `${templateName(template)} on "${input.cron}"`,
      owner: who.principal,
      cron: input.cron.trim(),
      timezone,
      template,
      paused: input.paused ?? false,
      catchUp: input.catchUp ?? 'once',
      createdAt: now,
      updatedAt: now,
      activeSince: now,
    };
    await this.models.Schedule.collection.insertOne(record as never);
    return this.view(record, []);
  }

  async list(who: Principal, owner?: string): Promise<Omit<ScheduleView, 'history'>[]> {
    const filter = who.role === 'admin' ? (owner ? { owner } : {}) : { owner: who.principal };
    const rows = await this.models.Schedule.find(filter).limit(SCHEDULE_LIMITS.listMax).maxTimeMS(this.timeoutMs).lean<ScheduleRecord[]>().exec();
    return rows.map((r) => {
      const { history: _history, ...rest } = this.view(r, []);
      return rest;
    });
  }

  async get(who: Principal, id: string): Promise<ScheduleView> {
    const s = await this.find(who, id);
    return this.view(s, await this.history(s));
  }

  async update(who: Principal, id: string, patch: SchedulePatch): Promise<ScheduleView> {
    const s = await this.find(who, id);
    const cron = patch.cron?.trim() ?? s.cron;
    const timezone = patch.timezone ?? s.timezone;
    this.checkCron(cron, timezone);
    const template = patch.task ? this.template({ ...patch.task, tag: submitTag(who, patch.task.tag) }) : s.template;
    const paused = patch.paused ?? s.paused;
    const now = new Date();
    // Fire times before a new cron, or before a resume, are not this schedule's to catch up.
    const restarts = cron !== s.cron || timezone !== s.timezone || (s.paused && !paused);
    const next: ScheduleRecord = {
      ...s,
      name: patch.name?.trim() || s.name,
      cron,
      timezone,
      template,
      paused,
      catchUp: patch.catchUp ?? s.catchUp,
      updatedAt: now,
      activeSince: restarts ? now : s.activeSince,
    };
    const res = await this.models.Schedule.collection.replaceOne({ _id: s._id } as never, next as never);
    if (res.matchedCount === 0) throw new ScheduleNotFound(id);
    return this.view(next, await this.history(next));
  }

  /** Its history stays until its days are pruned; the tasks it submitted stay. */
  async remove(who: Principal, id: string): Promise<void> {
    const s = await this.find(who, id);
    const res = await this.models.Schedule.collection.deleteOne({ _id: s._id } as never, { maxTimeMS: this.timeoutMs } as never);
    if (res.deletedCount === 0) throw new ScheduleNotFound(id);
  }

  /** A page of the schedule's recorded occurrences, newest first, older than `cursor` (an occurrence's fire time). */
  async historyPage(who: Principal, id: string, limit: number = SCHEDULE_LIMITS.history, cursor?: string): Promise<OccurrencePage> {
    const before = cursor === undefined ? undefined : new Date(cursor);
    if (before && Number.isNaN(before.getTime())) {
      throw new InvalidParams('cursor is not a fire time from a previous page', [{ instancePath: '/cursor', keyword: 'format', params: {}, message: 'must be a date-time' }]);
    }
    const s = await this.find(who, id);
    const { items, more } = await this.occurrences.page(s._id, Math.min(limit, SCHEDULE_LIMITS.historyPageMax), before);
    const views = items.map(occurrenceView);
    return { items: views, ...(more && views.length ? { nextCursor: views[views.length - 1].fireAt } : {}) };
  }

  /** The latest occurrences, newest first: the history's first page. */
  private async history(s: ScheduleRecord): Promise<OccurrenceView[]> {
    return (await this.occurrences.page(s._id, SCHEDULE_LIMITS.history)).items.map(occurrenceView);
  }

  private view(s: ScheduleRecord, history: OccurrenceView[]): ScheduleView {
    const nextRuns = s.paused ? [] : cronTimes(s.cron, s.timezone).next(SCHEDULE_LIMITS.nextRuns, new Date()).map(iso);
    return {
      id: s._id,
      name: s.name,
      owner: s.owner,
      cron: s.cron,
      timezone: s.timezone,
      template: s.template,
      paused: s.paused,
      catchUp: s.catchUp,
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
      nextRuns,
      history,
    };
  }
}
