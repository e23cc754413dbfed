import { createHash } from 'node:crypto';
import { declaredWorkflow, workflowProblems, type JobTypeDefinition } from '@taskyard/contracts';
import { startWorkflow, type WorkflowModels } from '@taskyard/workflows';
import type { Logger } from '@taskyard/logging';
import { dispatchTask, type ConfirmPublisher } from '@taskyard/messaging';
import {
  dispatchOrOutbox,
  isDuplicateKey,
  ListMarks,
  Outbox,
  newTaskRecord,
  readTask,
  releaseSlot,
  takeSlot,
  firstMessageOf,
  type OutboxTicket,
  type TaskModels,
  type TaskRecord,
} from '@taskyard/tasks';
import type { ScheduleRecord } from './schedule-model';

/** What became of an occurrence's template: a task, or nothing and why. */
export type SubmitResult = { outcome: 'submitted'; taskId: string } | { outcome: 'skipped'; reason: string; code: SkipCode };
export type SkipCode = 'quota-exceeded' | 'unknown-type' | 'schedule-deleted';

/** Submits a schedule's template for one occurrence. Must be idempotent per occurrence id (it may be run again after a crash). */
export type TemplateSubmitter = (schedule: ScheduleRecord, occurrenceId: string) => Promise<SubmitResult>;

export interface TemplateSubmissionDeps {
  models: TaskModels;
  workflowModels: WorkflowModels;
  publisher: ConfirmPublisher;
  jobTypes: Map<string, JobTypeDefinition>;
  logger: Logger;
}

/** A UUID (version 5 layout) named by the occurrence: the same occurrence always names the same task. */
export function occurrenceTaskId(occurrenceId: string): string {
  const h = createHash('sha1').update(`taskyard:occurrence:${occurrenceId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The submitter of `kind: 'task'` templates: a slot under the owner's limit, the task (its id derived from
 * the occurrence, so a second run of the same occurrence finds it instead of making another), its message.
 */
export function taskTemplateSubmitter(deps: TemplateSubmissionDeps): TemplateSubmitter {
  const marks = new ListMarks(deps.models.ListMark);
  const outbox = new Outbox(deps.models.Outbox);
  return async (schedule, occurrenceId) => {
    const template = schedule.template;
    if (template.kind !== 'task') return { outcome: 'skipped', code: 'unknown-type', reason: `a ${template.kind} template needs its own submitter` };
    const def = deps.jobTypes.get(template.type);
    if (!def) return { outcome: 'skipped', code: 'unknown-type', reason: `job type "${template.type}" is not enabled in this deployment` };
    const taskId = occurrenceTaskId(occurrenceId);
    const limit = def.limits.unfinishedPerOwner;
    const slot = await takeSlot(deps.models.Slot, schedule.owner, def.type, limit, taskId);
    if (!slot) {
      if (await resumeExisting(deps, taskId)) return { outcome: 'submitted', taskId };
      return { outcome: 'skipped', code: 'quota-exceeded', reason: `${schedule.owner} already has ${limit} unfinished ${def.type} task(s), the most allowed` };
    }
    const task = newTaskRecord({
      id: taskId,
      def,
      owner: schedule.owner,
      title: template.title,
      params: template.params,
      tag: template.tag,
      priority: template.priority,
      slotId: slot,
      scheduleId: schedule._id,
      occurrenceId,
    });
    let ticket: OutboxTicket | undefined;
    try {
      await marks.ensureFor(task);
      // The outbox entry before the task: a scheduler killed before the confirm leaves it to a relay.
      ticket = await outbox.enter([taskId]);
      if (Date.now() > ticket.insertBy) throw new Error('the database was too slow to store the occurrence\'s task');
      await deps.models.Task.collection.insertOne(task as never);
    } catch (err) {
      await releaseSlot(deps.models.Slot, slot, taskId);
      if (!isDuplicateKey(err)) {
        // The occurrence stays pending and is tried again (an entry left behind only waits for a relay).
        await ticket?.settle([taskId]).catch(() => undefined);
        throw err;
      }
      await resumeExisting(deps, taskId);
      await ticket?.settle([taskId]);
      return { outcome: 'submitted', taskId };
    }
    await dispatchOrOutbox(outbox, ticket, deps.publisher, [task], deps.logger);
    return { outcome: 'submitted', taskId };
  };
}

/**
 * The submitter of `kind: 'workflow'` templates: the workflow's parent task (its id derived from the
 * occurrence, so a second run of the same occurrence starts nothing new) and its first stage's task(s).
 */
export function workflowTemplateSubmitter(deps: TemplateSubmissionDeps): TemplateSubmitter {
  const marks = new ListMarks(deps.models.ListMark);
  const outbox = new Outbox(deps.models.Outbox);
  return async (schedule, occurrenceId) => {
    const template = schedule.template;
    if (template.kind !== 'workflow') return { outcome: 'skipped', code: 'unknown-type', reason: `a ${template.kind} template needs its own submitter` };
    const definition = typeof template.workflow === 'string' ? declaredWorkflow(template.workflow) : template.workflow;
    if (!definition) return { outcome: 'skipped', code: 'unknown-type', reason: `no workflow is declared as "${String(template.workflow)}"` };
    const problems = workflowProblems(definition, (t) => deps.jobTypes.has(t));
    if (problems.length) return { outcome: 'skipped', code: 'unknown-type', reason: problems.join('; ') };
    const started = await startWorkflow(
      { ...deps, marks, outbox },
      { id: occurrenceTaskId(occurrenceId), owner: schedule.owner, definition, params: template.params ?? {}, title: template.title, tag: template.tag, scheduleId: schedule._id, occurrenceId },
    );
    return { outcome: 'submitted', taskId: started.id };
  };
}

/** Every kind of template, each to its own submitter. */
export function templateSubmitter(deps: TemplateSubmissionDeps): TemplateSubmitter {
  const byKind = { task: taskTemplateSubmitter(deps), workflow: workflowTemplateSubmitter(deps) };
  return (schedule, occurrenceId) => byKind[schedule.template.kind](schedule, occurrenceId);
}

/**
 * The occurrence's task exists already (an earlier run stopped after inserting it): publish it again if it
 * still waits, since that run may have stopped before publishing. Workers ignore a duplicate message.
 */
async function resumeExisting(deps: TemplateSubmissionDeps, taskId: string): Promise<boolean> {
  const t = await readTask<TaskRecord>(deps.models.Task, taskId, {}, 10_000);
  if (!t) return false;
  if (t.status === 'queued' || t.status === 'scheduled') await dispatchTask(deps.publisher, firstMessageOf(t), { republished: true });
  return true;
}
