import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { jobTypes, type TaskEventInput } from '@taskyard/contracts';
import { createLogger, SERVICE_READY_MESSAGE } from '@taskyard/logging';
import { BrokerConnection, ConfirmPublisher, publishEvent } from '@taskyard/messaging';
import { ListMarks, NO_SLOT, ensureTaskIndexes, newTaskRecord, taskModels, type NewTask, type TaskModels } from '@taskyard/tasks';
import { freePort, serverEnv, testServers } from '@taskyard/testing';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';

/**
 * The status service alone: its CPU per task folding the events a worker sends for tasks stored as the gateway
 * stores them, without a gateway, a worker or HTTP clients on the machine's cores. The service runs as
 * `npm start` runs it (its own process, CPU from /proc), from this repository or another checkout (`--repo`,
 * to compare a commit before and after in one sitting). Modes:
 *   fast  one event per task: the outcome carrying its start and the task as inserted (a no-op job)
 *   long  `started` alone (the task as inserted inside), its outcome a round later (a job longer than the start delay)
 *   tsx bench/peers/status-folds.ts [--tasks=2000] [--warmup=3000] [--rate=400] [--modes=fast,long] [--repo=/path/to/checkout]
 * The first `--warmup` tasks of each mode are folded before the measured ones (a warm service's figures).
 * With PROF_DIR and NODE_OPTIONS="--require bench/peers/profile/cpu-profile.cjs", the status process is profiled
 * from the first measured event (PROF_DIR/START, which holds its pid: for perf record -p) to its exit:
 * <PROF_DIR>/status-<pid>.cpuprofile per mode.
 */
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const TASKS = Number(arg('tasks') ?? 2000);
const WARMUP = Number(arg('warmup') ?? 3000);
const RATE = Number(arg('rate') ?? 400);
const MODES = (arg('modes') ?? 'fast,long').split(',');
const REPO = path.resolve(arg('repo') ?? path.join(__dirname, '../..'));
/** Events are published in rounds of this many tasks, RATE tasks a second (a worker's prefetch delivers about as many at once). */
const ROUND = 32;

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function startStatus(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(REPO, 'services', 'status'),
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m) => m === SERVICE_READY_MESSAGE && resolve());
    child.once('exit', (code) => reject(new Error(`status exited with ${code} before it was ready`)));
  });
  child.disconnect();
  return { child, port };
}

/** One counter of the status service's /metrics (summed over its labels). */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics?name=${name}`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function eventsOf(t: NewTask, mode: string, runId: string): { first: TaskEventInput; later?: TaskEventInput } {
  const run = { taskId: t._id, type: t.type, attempt: 1, runId };
  const inserted = { owner: t.owner, title: t.title, createdAt: t.createdAt.toISOString(), maxAttempts: t.maxAttempts };
  const startedAt = new Date().toISOString();
  if (mode === 'fast') return { first: { ...run, kind: 'succeeded', seq: 2, artifacts: [], started: { workerId: 'bench', at: startedAt }, inserted } as TaskEventInput };
  return {
    first: { ...run, kind: 'started', seq: 1, workerId: 'bench', at: startedAt, inserted } as TaskEventInput,
    later: { ...run, kind: 'succeeded', seq: 2, artifacts: [] } as TaskEventInput,
  };
}

/**
 * Stores the tasks as the gateway does (their list marks, then the tasks), just before their events: a task's
 * status change more than 30 s after its creation is a late entry into its lists (more mark writes), which
 * a no-op task's is not.
 */
async function stored(models: TaskModels, tasks: NewTask[]): Promise<NewTask[]> {
  await new ListMarks(models.ListMark).ensureAll(tasks);
  for (let i = 0; i < tasks.length; i += 32) await models.Task.collection.insertMany(tasks.slice(i, i + 32) as never[]);
  return tasks;
}

/** Publishes the tasks' events, RATE tasks a second in rounds, and waits until the service counts `finished` tasks finished. */
async function publishAll(publisher: ConfirmPublisher, tasks: NewTask[], mode: string, port: number, finished: number): Promise<void> {
  const t0 = performance.now();
  let pending: TaskEventInput[] = [];
  for (let i = 0; i < tasks.length; i += ROUND) {
    const due = t0 + (i / RATE) * 1000;
    if (due > performance.now()) await pause(due - performance.now());
    const round = tasks.slice(i, i + ROUND).map((t) => eventsOf(t, mode, randomUUID()));
    // The outcomes of the round before go with this round's starts, as a longer job's would.
    await Promise.all([...pending, ...round.map((r) => r.first)].map((e) => publishEvent(publisher, e)));
    pending = round.flatMap((r) => (r.later ? [r.later] : []));
  }
  await Promise.all(pending.map((e) => publishEvent(publisher, e)));
  while ((await metric(port, 'taskyard_tasks_finished_total')) < finished) await pause(200);
}

async function runMode(mode: string): Promise<Row> {
  const servers = await testServers(`status-folds-${mode}`);
  const env = {
    ...(process.env as Record<string, string>),
    ...serverEnv(servers),
    CALLBACK_SECRET: randomBytes(32).toString('hex'),
    ENABLE_DIAGNOSTIC: 'true',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  const logger = createLogger('bench');
  const db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const broker = new BrokerConnection(servers.rabbitmqUrl, logger, 'status-folds');
  const publisher = new ConfirmPublisher(broker, logger);
  // Each mode's process is profiled from its own first event: START is made again below.
  if (process.env.PROF_DIR) rmSync(path.join(process.env.PROF_DIR, 'START'), { force: true });
  const { child, port } = await startStatus(env);
  try {
    await publisher.start();
    await broker.start();
    const models = taskModels(db);
    await ensureTaskIndexes(models);
    const def = jobTypes({ enableDiagnostic: true }).get('diagnostic')!;
    const tasks = Array.from({ length: WARMUP + TASKS }, (_, i) => newTaskRecord({ id: randomUUID(), def, owner: `bench-${i % 5}`, params: {}, slotId: NO_SLOT }));
    await pause(1000);
    // Not measured: the service's code is compiled and optimized while it folds these (its first thousands of
    // folds cost about twice a warm fold's CPU), as it is in a service that has run for a while.
    if (WARMUP) await publishAll(publisher, await stored(models, tasks.slice(0, WARMUP)), mode, port, WARMUP);
    const measured = await stored(models, tasks.slice(WARMUP));
    const [reads0, writes0] = [await metric(port, 'taskyard_status_task_reads_total'), await metric(port, 'taskyard_status_task_writes_total')];
    if (process.env.PROF_DIR) writeFileSync(path.join(process.env.PROF_DIR, 'START'), String(child.pid));
    const cpu0 = cpuSecondsOf(child.pid!);
    const load0 = loadavg()[0];
    const t0 = performance.now();
    await publishAll(publisher, measured, mode, port, WARMUP + TASKS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSecondsOf(child.pid!) - cpu0;
    const reads = (await metric(port, 'taskyard_status_task_reads_total')) - reads0;
    const writes = (await metric(port, 'taskyard_status_task_writes_total')) - writes0;
    return {
      mode, tasks: TASKS, warmup: WARMUP, 'offered/s': RATE, 'tasks/s': round(TASKS / seconds, 1),
      'status CPU ms/task': round((cpu * 1000) / TASKS, 3), 'reads/task': round(reads / TASKS, 2), 'writes/task': round(writes / TASKS, 2),
      load: round((load0 + loadavg()[0]) / 2, 1),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await publisher.close();
    await broker.close();
    await db.close();
    await servers.cleanup();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const mode of MODES) rows.push(await runMode(mode));
  printTable(`status service alone (${REPO})`, rows);
  writeResults('status-folds', { repo: REPO, rows });
  process.stdout.write(`${JSON.stringify({ repo: REPO, rows })}\n`);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
