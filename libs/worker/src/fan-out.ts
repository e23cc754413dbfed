import { publishTask } from '@taskyard/messaging';
import type { TaskMessage } from '@taskyard/contracts';
import { isDuplicateKey } from '@taskyard/tasks';
import type { ChildSpec } from './job-context';
import type { WorkerDeps } from './worker-engine';

/**
 * Inserts one child task per spec (found later by `parentId`) and publishes each. Child ids derive from
 * the parent's, so a re-run of the parent after a crash re-creates nothing.
 */
export async function spawnChildren(deps: WorkerDeps, parent: TaskMessage, children: ChildSpec[]): Promise<TaskMessage[]> {
  const now = new Date();
  const messages: TaskMessage[] = children.map((c, i) => ({
    id: `${parent.id}.${i + 1}`,
    type: parent.type,
    owner: parent.owner,
    title: c.title,
    tag: parent.tag,
    params: c.params,
    attempt: 1,
    maxAttempts: parent.maxAttempts,
    parentId: parent.id,
    createdAt: now.toISOString(),
  }));
  // Children are in no list of their own (no list keys, no marks to store): they show under their parent.
  for (let i = 0; i < messages.length; i += 32) {
    const docs = messages.slice(i, i + 32).map((m) => ({
      _id: m.id,
      type: m.type,
      title: m.title,
      owner: m.owner,
      ...(m.tag ? { tag: m.tag } : {}),
      params: m.params,
      status: 'queued',
      progress: 0,
      attempt: 0,
      maxAttempts: m.maxAttempts,
      artifacts: [],
      logs: [],
      parentId: parent.id,
      createdAt: now,
      queuedAt: now,
    }));
    await deps.models.Task.collection.insertMany(docs as never[], { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
  return messages;
}

export async function publishChildren(deps: WorkerDeps, messages: TaskMessage[]): Promise<void> {
  await Promise.all(messages.map((m) => publishTask(deps.publisher, m)));
}
