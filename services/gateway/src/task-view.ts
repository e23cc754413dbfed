import { WORKFLOW_TYPE, type ArtifactRef, type ArtifactView, type AttemptRecord, type AttemptView, type StageRef, type TaskView } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';

export type { ArtifactView, TaskView };

/** The stored fields a view needs (logs stay out: they have their own route). */
export const VIEW_PROJECTION = { logs: 0, slotId: 0, runId: 0, lastSeq: 0, heartbeatAt: 0, idempotencyScope: 0, idempotencyFingerprint: 0, retryAt: 0, occurrenceId: 0, failedKey: 0, lk: 0 } as const;
export type ViewRecord = Omit<TaskRecord, 'logs'>;

export type Presign = (key: string, downloadName: string) => Promise<string>;

const iso = (d: Date | string | undefined | null): string | undefined => (d ? new Date(d).toISOString() : undefined);

async function artifactView(a: ArtifactRef, expired: boolean, presign: Presign, expiresAt: string): Promise<ArtifactView> {
  const base = { name: a.name, size: a.size, contentType: a.contentType };
  if (expired) return { ...base, url: null, expiresAt: null };
  // Kept where an external processor put it: shown as given, no expiry of ours.
  if (a.url) return { ...base, url: a.url, expiresAt: null };
  return { ...base, url: await presign(a.key, a.name), expiresAt };
}

function attemptView(a: AttemptRecord): AttemptView {
  return defined<AttemptView>({
    attempt: a.attempt,
    startedAt: iso(a.startedAt)!,
    endedAt: iso(a.endedAt),
    outcome: a.outcome,
    error: a.error?.code ? { code: a.error.code, message: a.error.message } : undefined,
    retryAt: iso(a.retryAt),
  });
}

/** Which workflow and stage a stage task belongs to (not the on-failure stage's failure, nor a fan-in's source). */
const stageView = (s: StageRef): NonNullable<TaskView['stage']> => ({ workflowId: s.workflowId, stage: s.stage, kind: s.kind, ...(s.item !== undefined ? { item: s.item } : {}) });

/** Present fields only: an absent optional field is left out rather than sent as null. */
function defined<T extends object>(view: T): T {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** A task whose handler continued as a workflow that fans out (the assessment report's batches): its children counted. */
function childrenOf(task: ViewRecord): TaskView['children'] {
  const fanOut = task.type === WORKFLOW_TYPE ? undefined : task.workflow?.stages.find((s) => s.kind === 'fan-out');
  return fanOut ? { total: fanOut.total ?? 0, done: fanOut.done ?? 0, failed: fanOut.failed ?? 0 } : undefined;
}

export async function toTaskView(task: ViewRecord, presign: Presign, presignSeconds: number): Promise<TaskView> {
  const urlExpiresAt = new Date(Date.now() + presignSeconds * 1000).toISOString();
  const expired = task.status === 'expired';
  const artifacts = await Promise.all((task.artifacts ?? []).map((a) => artifactView(a, expired, presign, urlExpiresAt)));
  return defined<TaskView>({
    id: task._id,
    type: task.type,
    title: task.title,
    owner: task.owner,
    tag: task.tag,
    params: task.params ?? {},
    status: task.status,
    progress: task.progress ?? 0,
    attempt: task.attempt ?? 0,
    maxAttempts: task.maxAttempts,
    artifacts,
    error: task.error?.code ? { code: task.error.code, message: task.error.message } : undefined,
    parentId: task.parentId,
    stage: task.stage ? stageView(task.stage) : undefined,
    children: childrenOf(task),
    result: task.result,
    createdAt: iso(task.createdAt)!,
    queuedAt: iso(task.queuedAt ?? task.createdAt)!,
    startedAt: iso(task.startedAt),
    finishedAt: iso(task.finishedAt),
    expiresAt: iso(task.expiresAt),
    durationMs: task.durationMs,
    cancelRequestedAt: iso(task.cancelRequestedAt),
    runAt: iso(task.runAt),
    priority: task.priority,
    retryOf: task.retryOf,
    scheduleId: task.scheduleId,
    attempts: task.attempts?.length ? task.attempts.map(attemptView) : undefined,
  });
}
