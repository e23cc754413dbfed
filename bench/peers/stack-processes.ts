import type { ProcessStack } from '@taskyard/testing';
import { getText } from './http-text';
import { ownProcess } from './parts';

const partOfService = (name: string): string => (name === 'gateway' || name === 'status' ? name : 'worker');

/** Counts the stack's processes as ours, by part, Taskyard's (call again after adding one). */
export function registerStack(stack: ProcessStack): void {
  for (const p of stack.processes) ownProcess(p.child.pid, partOfService(p.name), 'taskyard');
}

/** Tasks the status services have seen reach a terminal status, from their /metrics (polled 10 times a second while a run lasts). */
export async function finishedCount(stack: ProcessStack): Promise<number> {
  let n = 0;
  for (const p of stack.processes.filter((p) => p.name === 'status')) {
    // That one metric: the whole scrape, 10 times a second, cost the status service as much CPU as its folds.
    const one = await getText(`http://127.0.0.1:${p.port}/metrics?name=taskyard_tasks_finished_total`);
    // A status service older than `?name=` answers 404: the whole scrape then (comparing with an older commit).
    const text = one.ok ? one.text : (await getText(`http://127.0.0.1:${p.port}/metrics`)).text;
    for (const m of text.matchAll(/^taskyard_tasks_finished_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  }
  return n;
}

/** What the status services have folded and done so far: events by kind, task reads and writes (their /metrics). */
export type StatusCounts = Record<string, number>;

/** Each counter's difference per task, by name (events as `event <kind>`). */
export function countsPerTask(before: StatusCounts, after: StatusCounts, tasks: number): StatusCounts {
  return Object.fromEntries(Object.keys(after).filter((k) => after[k] !== (before[k] ?? 0)).map((k) => [k, Math.round((100 * (after[k] - (before[k] ?? 0))) / tasks) / 100]));
}

export async function statusCounts(stack: ProcessStack): Promise<StatusCounts> {
  const counts: StatusCounts = {};
  const add = (k: string, n: number): void => void (counts[k] = (counts[k] ?? 0) + n);
  for (const p of stack.processes.filter((p) => p.name === 'status')) {
    const text = (await getText(`http://127.0.0.1:${p.port}/metrics`)).text;
    for (const m of text.matchAll(/^taskyard_status_events_total\{kind="([^"]+)"[^}]*\} (\d+)/gm)) add(`event ${m[1]}`, Number(m[2]));
    for (const m of text.matchAll(/^taskyard_status_task_(reads|writes)_total (\d+)/gm)) add(`task ${m[1]}`, Number(m[2]));
  }
  return counts;
}

/** Jobs each worker process has run so far, from its /metrics (by port). */
export async function jobsByWorker(stack: ProcessStack): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const p of stack.processes.filter((p) => p.name === 'diagnostic')) {
    const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    counts.set(p.port, [...text.matchAll(/^taskyard_jobs_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0));
  }
  return counts;
}

/** Stops one process of the stack and forgets it. */
export async function stopProcess(stack: ProcessStack, p: ProcessStack['processes'][number]): Promise<void> {
  await new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
  stack.processes.splice(stack.processes.indexOf(p), 1);
}
