import type { Connection } from 'mongoose';
import { isTerminal, type TaskStatus } from '@taskyard/contracts';
import { readTask, taskModels } from '@taskyard/tasks';
import { round } from '../lib/rate';
import type { Api } from './api-probes';

async function inParallel(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await fn(next++);
  }));
}

/** The statuses of some tasks, each read by `_id` (the one equality its index serves), a few at a time. */
async function statuses(db: Connection, ids: string[]): Promise<Map<string, TaskStatus | undefined>> {
  const out = new Map<string, TaskStatus | undefined>();
  await inParallel(ids.length, 8, async (i) => {
    // With its end, which is a document of its own (task-outcome.ts).
    const t = await readTask<{ _id: string; status: TaskStatus }>(taskModels(db).Task, ids[i], { status: 1 }, 30_000);
    out.set(ids[i], t?.status);
  });
  return out;
}

/**
 * End-to-end no-op tasks/s: from the first submit to the moment every task is seen finished. Waits on the
 * last few submitted (the queue is worked roughly in order) and only then reads every task once, so the
 * waiting costs the stack little; reads by `_id`, never a count over the tasks.
 */
export async function endToEnd(api: Api, key: string, db: Connection, n: number): Promise<{ tasks: number; seconds: number; perSecond: number; notSucceeded: number }> {
  const ids: string[] = [];
  const started = performance.now();
  await inParallel(n, 32, async () => {
    const r = await api.submit(key);
    if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${JSON.stringify(r.body)}`);
    ids.push((r.body as { id: string }).id);
  });
  let pending = ids.slice(-8);
  let all = false;
  const deadline = Date.now() + 600_000;
  for (;;) {
    const seen = await statuses(db, pending);
    pending = pending.filter((id) => !isTerminal(seen.get(id) ?? 'queued'));
    if (pending.length === 0 && all) break;
    if (pending.length === 0) {
      // The last few are done: now check them all once (and wait for any still going).
      pending = ids;
      all = true;
    } else if (Date.now() > deadline) throw new Error(`${pending.length} tasks not finished after 10 minutes`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const final = await statuses(db, ids);
  return { tasks: n, seconds: round(seconds, 2), perSecond: round(n / seconds, 1), notSucceeded: [...final.values()].filter((s) => s !== 'succeeded').length };
}
