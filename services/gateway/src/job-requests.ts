import { createHash, randomUUID } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { Model } from 'mongoose';
import {
  JOB_REQUEST_JOB_IDS,
  JOB_REQUEST_MAX_RUNS,
  JOB_REQUEST_STATUS_OF,
  assessmentParamsOfJobConfig,
  jobTypeOfJobId,
  type JobRequestSubmission,
  type JobStatusResponse,
} from '@taskyard/contracts';
import { insertUnique, jobRequestRunId, readTask, tagDayOf, type JobRequestRecord, type TaskRecord } from '@taskyard/tasks';
import type { Principal } from './api-keys';
import { TagNotFound, UnknownJobId } from './errors';
import { maySeeTag } from './tag-access';
import type { TaskSubmission } from './task-submission';
import type { Presign } from './task-view';

/** A run whose task never appeared this long after its record (its submitter died between the two) may run again. */
const ORPHAN_RUN_MS = 60_000;
/** The list walks a tag's requests day by day, newest first, this many days back at most. */
export const LIST_DAYS = 31;
/** Records read from one day of one tag at most (the list's bound per equality read). */
const DAY_READ_CAP = 1000;

type RunTask = Pick<TaskRecord, '_id' | 'status' | 'artifacts' | 'error' | 'createdAt' | 'queuedAt' | 'startedAt' | 'finishedAt' | 'durationMs'>;
const RUN_TASK_FIELDS = { _id: 1, status: 1, artifacts: 1, error: 1, createdAt: 1, queuedAt: 1, startedAt: 1, finishedAt: 1, durationMs: 1 } as const;

export interface JobRequestsDeps {
  JobRequest: Model<JobRequestRecord>;
  Task: Model<TaskRecord>;
  submission: TaskSubmission;
  presign: Presign;
  presignSeconds: number;
  dbTimeoutMs: number;
}

const seconds = (d: Date | string | undefined): number | undefined => (d ? Math.floor(new Date(d).getTime() / 1000) : undefined);

/**
 * Seed 001's `request_id`: 40 hex characters (SHA-1) of the request's content (tag, jobId, config and
 * requester, in a canonical JSON form), so an identical request names the same one.
 */
export function jobRequestId(tag: string, jobId: string, jobConfig: Record<string, unknown>, requester: string): string {
  return createHash('sha1').update(stableStringify({ tag, jobId, jobConfig, requester })).digest('hex');
}

/**
 * Seed 001's job requests onto the same tasks. A request's runs are records `<request_id>:<run>`: the
 * unique insert of a run decides which of any number of identical requests starts it, and a new run is
 * started only after the previous one FAILED, up to JOB_REQUEST_MAX_RUNS.
 */
export class JobRequests {
  constructor(private readonly deps: JobRequestsDeps) {}

  /** A key bound to tags reaches only those; another tag is "not found". */
  checkTag(who: Principal, tag: string): void {
    if (who.role !== 'admin' && !maySeeTag(who, tag)) throw new TagNotFound(tag);
  }

  /** Within a tag the key may use: an unbound key sees only the requests it made itself. */
  private visible(who: Principal, rec: JobRequestRecord): boolean {
    return who.role === 'admin' || Boolean(who.tags) || rec.requestedBy === who.principal;
  }

  private readTask(id: string): Promise<RunTask | null> {
    return readTask<RunTask>(this.deps.Task, id, RUN_TASK_FIELDS, this.deps.dbTimeoutMs);
  }

  /** The latest run of a request: one `_id` read per possible run, side by side. */
  private async latestRun(requestId: string): Promise<JobRequestRecord | null> {
    const runs = await Promise.all(
      Array.from({ length: JOB_REQUEST_MAX_RUNS }, (_, run) =>
        this.deps.JobRequest.collection.findOne({ _id: jobRequestRunId(requestId, run) } as never, { maxTimeMS: this.deps.dbTimeoutMs }) as Promise<JobRequestRecord | null>,
      ),
    );
    return runs.filter((r): r is JobRequestRecord => r !== null).pop() ?? null;
  }

  private mayRunAgain(rec: JobRequestRecord, task: RunTask | null): boolean {
    if (rec.run + 1 >= JOB_REQUEST_MAX_RUNS) return false;
    if (!task) return Date.now() - new Date(rec.createdAt).getTime() > ORPHAN_RUN_MS;
    return JOB_REQUEST_STATUS_OF[task.status] === 'FAILED';
  }

  async submit(who: Principal, req: JobRequestSubmission): Promise<JobStatusResponse> {
    this.checkTag(who, req.tag);
    const type = jobTypeOfJobId(req.jobId);
    if (!type) throw new UnknownJobId(req.jobId, Object.keys(JOB_REQUEST_JOB_IDS));
    const params = assessmentParamsOfJobConfig(req.jobConfig, req.output_format) as Record<string, unknown>;
    this.deps.submission.check({ type, params }, false);
    const requester = req.requestedBy ? `${who.principal}/${req.requestedBy}` : who.principal;
    const requestId = jobRequestId(req.tag, req.jobId, { ...req.jobConfig, ...(req.output_format ? { output_format: req.output_format } : {}) }, requester);
    // Each pass either answers or loses one run's insert to an identical request; runs are few.
    for (let pass = 0; pass <= JOB_REQUEST_MAX_RUNS; pass++) {
      const latest = await this.latestRun(requestId);
      const task = latest && (await this.readTask(latest.taskId));
      if (latest && !this.mayRunAgain(latest, task)) return this.view(latest, task);
      const rec = this.newRun(who, req, requestId, requester, latest ? latest.run + 1 : 0);
      if (!(await insertUnique(this.deps.JobRequest, rec as unknown as { _id: string } & Record<string, unknown>))) continue;
      try {
        await this.deps.submission.submit({ id: rec.taskId, owner: who.principal, type, title: `${req.jobId} · ${req.tag}`, tag: req.tag, params });
      } catch (err) {
        // Refused (quota, broker): the run never started, so an identical request may start it later.
        await this.deps.JobRequest.collection.deleteOne({ _id: rec._id, taskId: rec.taskId } as never).catch(() => undefined);
        throw err;
      }
      return this.view(rec, null);
    }
    const latest = await this.latestRun(requestId);
    return this.view(latest!, latest && (await this.readTask(latest.taskId)));
  }

  private newRun(who: Principal, req: JobRequestSubmission, requestId: string, requester: string, run: number): JobRequestRecord {
    const now = new Date();
    return {
      _id: jobRequestRunId(requestId, run),
      requestId,
      run,
      tag: req.tag,
      tagDay: tagDayOf(req.tag, now),
      jobId: req.jobId,
      taskId: randomUUID(),
      requestedBy: who.principal,
      ...(req.requestedChannel ? { requestedChannel: req.requestedChannel } : {}),
      request: { jobId: req.jobId, ...req.jobConfig, ...(req.output_format ? { output_format: req.output_format } : {}), ...(requester !== who.principal ? { requestedBy: req.requestedBy } : {}) },
      createdAt: now,
    };
  }

  async read(who: Principal, tag: string, requestId: string): Promise<JobStatusResponse> {
    this.checkTag(who, tag);
    const rec = await this.latestRun(requestId);
    if (!rec || rec.tag !== tag || !this.visible(who, rec)) throw new TagNotFound(tag, requestId);
    return this.view(rec, await this.readTask(rec.taskId));
  }

  /** The tag's requests, newest first (their latest runs), from the last LIST_DAYS days. */
  async list(who: Principal, tag: string, limit: number): Promise<{ count: number; jobs: JobStatusResponse[] }> {
    this.checkTag(who, tag);
    const latest = new Map<string, JobRequestRecord>();
    const today = Date.now();
    for (let day = 0; day < LIST_DAYS && latest.size < limit; day++) {
      const records = (await this.deps.JobRequest.find({ tagDay: tagDayOf(tag, new Date(today - day * 86_400_000)) })
        .limit(DAY_READ_CAP)
        .maxTimeMS(this.deps.dbTimeoutMs)
        .lean()
        .exec()) as JobRequestRecord[];
      records.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || b.run - a.run);
      for (const r of records) {
        if (latest.size >= limit && !latest.has(r.requestId)) break;
        const seen = latest.get(r.requestId);
        if (this.visible(who, r) && (!seen || seen.run < r.run)) latest.set(r.requestId, r);
      }
    }
    const jobs = await Promise.all([...latest.values()].map(async (r) => this.view(r, await this.readTask(r.taskId))));
    return { count: jobs.length, jobs };
  }

  private async view(rec: JobRequestRecord, task: RunTask | null): Promise<JobStatusResponse> {
    const status = task ? JOB_REQUEST_STATUS_OF[task.status] : 'SUBMITTED';
    const files = task && task.status !== 'expired' ? task.artifacts ?? [] : [];
    const downloadURLs = await Promise.all(files.map((a) => (a.url ? a.url : this.deps.presign(a.key, a.name))));
    const updated = task ? task.finishedAt ?? task.startedAt ?? task.queuedAt ?? task.createdAt : rec.createdAt;
    const completed = seconds(task?.finishedAt);
    return {
      request_id: rec.requestId,
      tag: rec.tag,
      job_id: rec.jobId,
      requested_by: rec.requestedBy,
      ...(rec.requestedChannel ? { requested_channel: rec.requestedChannel } : {}),
      status,
      last_updated: seconds(updated)!,
      request: rec.request,
      job_stats: {
        dt_job_submitted: seconds(rec.createdAt)!,
        ...(completed !== undefined ? { dt_job_completed: completed } : {}),
        ...(task?.durationMs !== undefined ? { execution_time: task.durationMs } : {}),
      },
      downloadURLs,
      ...(downloadURLs.length ? { expiresAt: Date.now() + this.deps.presignSeconds * 1000 } : {}),
      attempts: rec.run,
      ...(task?.error?.message && status === 'FAILED' ? { err_message: task.error.message } : {}),
    };
  }
}
