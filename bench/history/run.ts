import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { startProcessStack, testServers, type ProcessStack, type TestServers } from '@taskyard/testing';
import { HeadPruner, SETTLE_SECONDS, ensureTaskIndexes, rebuildListHeads, taskModels, type TaskModels } from '@taskyard/tasks';
import { measureCeilings } from '../ceilings/measure';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';
import { Api, cursorAt, freshKey, pairedRatio, probeInterleaved, type Probe } from './api-probes';
import { endToEnd } from './end-to-end';
import { endToEndRounds, printRounds, stageRounds, type RoundTarget, type StageRounds } from './end-to-end-rounds';
import { FILL_OWNERS, fillHistory, historyScopes, storeWorkingSet, type FillSample } from './fill';
import { idleCpu } from './idle-cpu';
import { idleRounds, idleTables, type IdleTarget } from './idle-rounds';
import { LIST_READERS } from './list-filters';
import { PrivateDatabase } from './private-database';

// Usage: pnpm -s tsx bench/history/run.ts [--quick] [--sizes=0,100000,1000000] [--idle-seconds=60] [--samples=9] [--keep [--interleave | --only=e2e [--rounds=3] | --only=probes]] [--only=idle [--rounds=3] [--repos=a,b]] [--fill-only]
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = process.argv.includes('--quick');
const SIZES = (arg('sizes') ?? (quick ? '0,20000' : '0,100000,1000000')).split(',').map(Number);
const IDLE_SECONDS = Number(arg('idle-seconds') ?? (quick ? 20 : 60));
const SAMPLES = Number(arg('samples') ?? (quick ? 5 : 9));
const E2E_TASKS = quick ? 200 : 500;
/** The stored history is this far apart (a task every 2 s: a million in 23 days, "some weeks of use"). */
const STEP_MS = 2000;
/** Keep the private database (a database per size, filled once and reused by later runs with --keep). */
const KEEP = process.argv.includes('--keep');
/** Only fill (with --keep: fill the kept databases ahead of a measuring run). */
const FILL_ONLY = process.argv.includes('--fill-only');
/**
 * With --keep: every stage's stack runs at once and each probe's samples are taken on the stages in turn
 * (probeInterleaved), so the machine's load swings (other sessions' work) fall on all sizes alike; then each
 * stage's end-to-end run and idle minute alone, the others' stacks stopped.
 */
const INTERLEAVE = KEEP && (process.argv.includes('--interleave') || arg('only') === 'probes');
/** With --keep: `--only=e2e` runs only the end-to-end rounds (below). */
const E2E_ONLY = KEEP && arg('only') === 'e2e';
/** With --keep: `--only=probes` runs only the API probes, interleaved (a few minutes: for A/B runs of the lists). */
const PROBES_ONLY = KEEP && arg('only') === 'probes';
/**
 * Interleaved (and --only=e2e): the end-to-end runs of every stage in turn, this many times, every stack up
 * (endToEndRounds), with CPU-ms per task by part: where a per-task cost grows with history.
 */
const ROUNDS = Number(arg('rounds') ?? 3);
/**
 * `--only=idle`: the idle CPU only (idle-rounds.ts), a database per size; `--rounds` turns of every size and
 * of each checkout in `--repos` (default this one): `--repos=/tmp/base,.` is an A/B of two versions.
 */
const IDLE_ONLY = arg('only') === 'idle';
const REPOS = (arg('repos') ?? resolve(__dirname, '../..')).split(',').map((p) => resolve(p));
/** Tasks run end to end before each idle window of `--only=idle`. */
const IDLE_WARM_TASKS = 100;
const META = 'bench_history_meta';
const LIMITS = { diagnostic: { unfinishedPerOwner: 1_000_000, prefetch: 64 } };
const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface StageResult {
  storedHistory: number;
  fill?: { tasks: number; seconds: number; perSecond: number };
  probes: Record<string, Probe>;
  /** One run, or (interleaved) the medians of the stage's rounds with CPU-ms per task by part. */
  endToEnd: { tasks: number; seconds: number; perSecond: number; notSucceeded: number } | StageRounds;
  /** Percent of one core over the idle minute, by part. */
  idleCpuPercent: Record<string, number>;
}


/** What the probes of one stage need: its stack's API and keys, stored ids, the deep page's position. */
interface ProbeTarget {
  api: Api;
  keys: { user: string; admin: string };
  sample: FillSample;
}

/** The probes of one or several stages (interleaved: see probeInterleaved), a record of medians per stage. */
async function measureStages(targets: ProbeTarget[]): Promise<Record<string, Probe>[]> {
  const probes: Record<string, Probe>[] = targets.map(() => ({}));
  const each = async (name: string, ok: number, op: (t: ProbeTarget, i: number) => Promise<Awaited<ReturnType<Api['call']>>>): Promise<void> => {
    const found = await probeInterleaved(SAMPLES, ok, targets.map((t) => (i: number) => op(t, i)));
    found.forEach((p, k) => (probes[k][name] = p));
  };
  await each('GET /v1/tasks/:id', 200, ({ api, keys, sample }, i) => api.call(keys.admin, 'GET', `/v1/tasks/${sample.ids[(i + sample.ids.length) % sample.ids.length]}`));
  await each('POST /v1/tasks with Idempotency-Key', 202, ({ api, keys }) => api.submit(keys.user, { idempotencyKey: freshKey() }));
  await each('POST /v1/tasks', 202, ({ api, keys }) => api.submit(keys.user));
  await each('POST /v1/tasks/:id/cancel', 202, async ({ api, keys }) => {
    const t = await api.submit(keys.user, { delayMs: 3_600_000 });
    return api.call(keys.user, 'POST', `/v1/tasks/${(t.body as { id: string }).id}/cancel`);
  });
  for (const [who, filters] of LIST_READERS) {
    for (const [name, filter] of Object.entries(filters)) {
      for (const page of ['first', 'deep'] as const) {
        await each(`list ${who} ${name} ${page} page`, 200, ({ api, keys, sample }) => {
          const q = new URLSearchParams({ limit: '20', ...filter, ...(page === 'deep' ? { cursor: cursorAt(sample.middle!) } : {}) }).toString();
          return api.call(who === 'user' ? keys.user : keys.admin, 'GET', `/v1/tasks?${q}`);
        });
      }
    }
  }
  return probes;
}

const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && a > 0 ? `${round(b / a, 2)}x` : 'n/a');

/** The probes' medians by stage, and the last stage's over the first's. */
function probeRows(stages: Pick<StageResult, 'storedHistory' | 'probes'>[]): Row[] {
  const first = stages[0];
  const last = stages[stages.length - 1];
  const col = (s: Pick<StageResult, 'storedHistory'>): string => `${s.storedHistory.toLocaleString('en-US')} ms`;
  return Object.keys(first.probes).map((name) => ({
    measure: name,
    ...Object.fromEntries(stages.map((s) => [col(s), s.probes[name].failures ? `${s.probes[name].medianMs} (${s.probes[name].failures} failed)` : s.probes[name].medianMs])),
    [`ratio ${last.storedHistory.toLocaleString('en-US')}/0`]: ratio(first.probes[name].medianMs, last.probes[name].medianMs),
    // Only interleaved are sample i of each stage taken together.
    ...(INTERLEAVE ? { [`paired ${last.storedHistory.toLocaleString('en-US')}/0 (median of per-sample ratios)`]: `${pairedRatio(first.probes[name], last.probes[name])}x` } : {}),
  }));
}

function table(stages: StageResult[]): Row[] {
  const first = stages[0];
  const last = stages[stages.length - 1];
  const col = (s: StageResult): string => `${s.storedHistory.toLocaleString('en-US')} ms`;
  const rows = probeRows(stages);
  rows.push({
    measure: 'end-to-end tasks/s',
    ...Object.fromEntries(stages.map((s) => [col(s), s.endToEnd.perSecond])),
    [`ratio ${last.storedHistory.toLocaleString('en-US')}/0`]: ratio(last.endToEnd.perSecond, first.endToEnd.perSecond),
  });
  if (stages.every((s) => 'cpuMsPerTask' in s.endToEnd)) {
    const cpu = (s: StageResult): number => ('cpuMsPerTask' in s.endToEnd ? s.endToEnd.cpuMsPerTask.total : Number.NaN);
    rows.push({
      measure: 'end-to-end CPU-ms per task (database+services)',
      ...Object.fromEntries(stages.map((s) => [col(s), cpu(s)])),
      [`ratio ${last.storedHistory.toLocaleString('en-US')}/0`]: ratio(cpu(first), cpu(last)),
    });
  }
  rows.push({
    measure: 'idle CPU, % of a core (FerretDB+PostgreSQL+services)',
    ...Object.fromEntries(stages.map((s) => [col(s), s.idleCpuPercent.total])),
    [`ratio ${last.storedHistory.toLocaleString('en-US')}/0`]: 'target < 3',
  });
  return rows;
}

/** A stage's end-to-end run and idle minute, after its probes. */
async function finishStage(db: PrivateDatabase, t: Target, size: number, fill: StageResult['fill'], probes: Record<string, Probe>): Promise<StageResult> {
  log(`end-to-end (${E2E_TASKS} tasks) with ${size.toLocaleString('en-US')} stored tasks`);
  const e2e = await endToEnd(t.api, t.keys.user, t.conn, E2E_TASKS);
  log(`idle CPU over ${IDLE_SECONDS} s`);
  const idleCpuPercent = await idleCpu(db, t.stack, IDLE_SECONDS);
  return { storedHistory: size, ...(fill ? { fill } : {}), probes, endToEnd: e2e, idleCpuPercent };
}

const roundTarget = (p: { size: number; target: Target }): RoundTarget => ({ size: p.size, api: p.target.api, key: p.target.keys.user, conn: p.target.conn, stack: p.target.stack });

/** What a kept database holds (its `bench_history_meta` document), so a later run reuses its fill. */
interface FillState {
  stored: number;
  newestMs: number;
  sample: FillSample;
}

/** One stage's database and the stack serving it (one for the whole run, or one per stage with `--keep`). */
interface Target {
  conn: Connection;
  models: TaskModels;
  stack: ProcessStack;
  api: Api;
  keys: { user: string; admin: string };
  fill: FillState;
}

async function openTarget(servers: TestServers, database: string, fresh: boolean): Promise<Target> {
  const mongoUrl = servers.mongoUrl.replace(/\/[^/]*$/, `/${database}`);
  const conn = await mongoose.createConnection(mongoUrl).asPromise();
  if (fresh) await conn.dropDatabase();
  const models = taskModels(conn);
  await ensureTaskIndexes(models);
  const stack = await startProcessStack({ servers: { ...servers, mongoUrl }, workers: { diagnostic: 1 }, limits: LIMITS });
  const keys = { user: stack.keys.find((k) => k.principal === FILL_OWNERS[0])!.key, admin: stack.keys.find((k) => k.role === 'admin')!.key };
  const api = new Api(stack.gatewayUrl);
  const kept = await conn.collection<FillState & { _id: string }>(META).findOne({ _id: 'fill' });
  // The history is older than anything the benchmark submits, a task every STEP_MS back from here.
  const newestMs = Date.now() - 120_000;
  // Every stack alike (a kept database's too, since session 7): its services have run these tasks (V8's
  // compiler warmed) and its lists hold them, as the empty database's did alone before.
  const warm = await endToEnd(api, keys.user, conn, 40);
  log(`warm-up: ${warm.tasks} tasks`);
  let fill: FillState;
  if (kept) fill = { stored: kept.stored, newestMs: kept.newestMs, sample: kept.sample };
  else {
    const own = await conn.collection('tasks').findOne({}, { projection: { _id: 1, createdAt: 1 } });
    fill = { stored: 0, newestMs, sample: { ids: [String(own!._id)], middle: { createdAt: own!.createdAt as Date, id: String(own!._id) } } };
  }
  return { conn, models, stack, api, keys, fill };
}

/**
 * Every stage's lists as a running deployment keeps them: each head pruned to its kept size (a kept
 * database's heads also held the marks of its earlier runs' rebuilds: those the probes read went over HEAD_MAX,
 * and the first probe's read asked for a prune, which then ran beside the probes; the others kept them all,
 * 6,986 marks in session 7) and the list marks vacuumed (a kept database carried up to 2,000 dead rows from
 * its earlier runs, which a head read visits; the empty stage's table is new).
 */
async function settleLists(db: PrivateDatabase, t: Target, database: string, scopes: string[]): Promise<void> {
  const pruner = new HeadPruner(t.models.ListMark);
  let removed = 0;
  for (const scope of scopes) {
    // A prune takes out a bounded number of marks; a list no probe reads kept every earlier run's rebuild.
    for (let o = await pruner.prune(scope); o.decision === 'cut' && o.removed > 0; o = await pruner.prune(scope)) removed += o.removed;
  }
  db.vacuum(database, 'list_marks');
  log(`heads pruned (${removed} marks out), list marks vacuumed`);
}

async function closeTarget(t: Target): Promise<void> {
  await t.stack.stop(5000);
  await t.conn.close();
}

/** Fills a target's history up to `size` tasks (a kept database remembers how far it got). */
async function fillTo(t: Target, size: number): Promise<StageResult['fill']> {
  if (size <= t.fill.stored) return undefined;
  log(`filling ${(size - t.fill.stored).toLocaleString('en-US')} finished tasks (to ${size.toLocaleString('en-US')})`);
  const filled = await fillHistory(t.models, { from: t.fill.stored, count: size - t.fill.stored, newestMs: t.fill.newestMs, stepMs: STEP_MS, heads: false }, 6, (n) => log(`  ${n.toLocaleString('en-US')} stored`));
  t.fill = {
    stored: size,
    newestMs: t.fill.newestMs,
    sample: { ids: [...t.fill.sample.ids, ...filled.sample.ids].slice(-200), middle: filled.sample.middle ?? t.fill.sample.middle },
  };
  await t.conn.collection<{ _id: string }>(META).replaceOne({ _id: 'fill' }, t.fill, { upsert: true });
  log(`  ${filled.rate.perSecond} tasks/s`);
  return { tasks: filled.rate.count, seconds: filled.rate.seconds, perSecond: filled.rate.perSecond };
}

async function main(): Promise<void> {
  const db = new PrivateDatabase(KEEP);
  log(`private database on ${db.mongoPort} (PostgreSQL ${db.pgPort})${KEEP ? `, kept in ${db.state}` : ''}`);
  db.start();
  const shared = await testServers('bench-history'); // the ceilings' vhost and bucket; the database is the private one
  const servers = { ...shared, mongoUrl: db.mongoUrl('bench_history') };
  const opened = new Set<Target>();
  /**
   * Each stack gets a vhost (and bucket) of its own: stacks up at once (--interleave, --only=e2e) sharing one
   * would consume each other's queues, and a task submitted to one database but run and folded by another
   * stack's services stays queued for ever in its own (holding its slot and an open list's mark; session 5's
   * interleaved runs left such tasks in the kept databases).
   */
  const own = new Map<Target, TestServers>();
  const open = async (database: string, fresh: boolean): Promise<Target> => {
    const broker = await testServers('bench-history');
    const t = await openTarget({ ...broker, mongoUrl: db.mongoUrl('bench_history') }, database, fresh).catch(async (err: unknown) => {
      await broker.cleanup();
      throw err;
    });
    opened.add(t);
    own.set(t, broker);
    return t;
  };
  const close = async (t: Target): Promise<void> => {
    opened.delete(t);
    await closeTarget(t);
    await own.get(t)?.cleanup();
    own.delete(t);
  };
  try {
    const stages: StageResult[] = [];
    /** Interleaved: the stages prepared, measured together once all are. */
    const prepared: { size: number; target: Target; fill: StageResult['fill']; sample: FillSample }[] = [];
    const idleTargets: IdleTarget[] = [];
    let ceilings: Awaited<ReturnType<typeof measureCeilings>> | undefined;
    let target: Target | undefined;
    for (const size of SIZES) {
      // Kept: a database per size (filled once, reused; the empty one afresh each run). Otherwise one, growing.
      if (KEEP || IDLE_ONLY || !target) {
        if (target && !INTERLEAVE && !E2E_ONLY && !IDLE_ONLY) await close(target);
        target = await open(KEEP || IDLE_ONLY ? `bench_history_${size}` : 'bench_history', KEEP ? size === 0 : true);
      }
      if (target.fill.stored > size) throw new Error(`the database already holds ${target.fill.stored} tasks, more than ${size}`);
      const fill = await fillTo(target, size);
      if (FILL_ONLY) continue;
      if (!ceilings && !E2E_ONLY && !PROBES_ONLY && !IDLE_ONLY) {
        log('ceilings (same run)');
        ceilings = await measureCeilings({ servers, dbMs: quick ? 1000 : 2000, brokerMs: 1000, objects: { smallObjects: 50, largeObjects: 2 } });
      }
      const working = await storeWorkingSet(target.models);
      log(`working set: ${working.rate.count} recent tasks (${working.rate.perSecond}/s)`);
      // The history was stored in bulk without heads (and the kept databases before heads existed): as a
      // database from before them, its lists' heads are rebuilt from their trees (list-heads-rebuild.ts).
      const heads = await rebuildListHeads(target.models, historyScopes());
      log(`heads rebuilt: ${heads.length} lists, ${heads.filter((h) => h.cut !== undefined).length} with a cut`);
      await settleLists(db, target, KEEP || IDLE_ONLY ? `bench_history_${size}` : 'bench_history', heads.map((h) => h.scope));
      // Ids and the deep page's cursor from the history; on the empty database, from the working set.
      const sample = target.fill.stored ? target.fill.sample : working.sample;
      // The deep page's position as the probes read it, for bench:list-walk (the empty stage has no fill to give it).
      await target.conn.collection<{ _id: string }>(META).replaceOne({ _id: 'probes' }, { middle: sample.middle }, { upsert: true });
      if (IDLE_ONLY) {
        await target.stack.stop(5000); // the idle rounds start a stack of their own per run
        idleTargets.push({ size, conn: target.conn, servers: { ...own.get(target)!, mongoUrl: db.mongoUrl(`bench_history_${size}`) } });
        continue;
      }
      if (INTERLEAVE || E2E_ONLY) {
        prepared.push({ size, target, fill, sample });
        continue;
      }
      log(`measuring with ${size.toLocaleString('en-US')} stored tasks`);
      const [probes] = await measureStages([{ api: target.api, keys: target.keys, sample }]);
      stages.push(await finishStage(db, target, size, fill, probes));
    }
    if (idleTargets.length) {
      const runs = await idleRounds(db, idleTargets, { repos: REPOS, rounds: ROUNDS, seconds: IDLE_SECONDS, warmTasks: IDLE_WARM_TASKS, limits: LIMITS }, log);
      const tables = idleTables(runs);
      printTable('Idle CPU: each run (% of a core by part)', tables.runs);
      printTable('Idle CPU: medians (% of a core by part)', tables.medians);
      writeResults('history-idle', runs);
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return;
    }
    if (prepared.length) {
      const sizes = prepared.map((p) => p.size.toLocaleString('en-US')).join(', ');
      let probes: Record<string, Probe>[] = [];
      if (!E2E_ONLY) {
        // The stages are prepared one after the other, the last just before this: its working set's newest
        // buckets not yet settled (read afresh by every page, where the first stage's were kept) and its bulk
        // writes' autovacuum to come. Measured in session 7: the dense lists' first pages were slowest on the
        // stage prepared last, whichever size it was (sizes 1000000,100000,0: the empty one 1.6x the million's).
        log(`${SETTLE_SECONDS} s for the last stage prepared to settle`);
        await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
        log(`measuring with ${sizes} stored tasks, interleaved`);
        probes = await measureStages(prepared.map((p) => ({ api: p.target.api, keys: p.target.keys, sample: p.sample })));
      }
      if (PROBES_ONLY) {
        const rows = probeRows(prepared.map((p, k) => ({ storedHistory: p.size, probes: probes[k] })));
        printTable(`API probes only (medians of ${SAMPLES}, ms), load ${loadavg().map((l) => round(l, 1)).join(' ')}`, rows);
        writeResults('history-probes', { samples: SAMPLES, sizes: prepared.map((p) => p.size), probes });
        process.stdout.write(`${JSON.stringify(probes, null, 2)}\n`);
        return;
      }
      // End-to-end: the stages' runs in turn with every stack up (A B A B), as the probes.
      log(`end-to-end rounds (${ROUNDS} x ${E2E_TASKS} tasks) with ${sizes} stored tasks in turn`);
      const rounds = await endToEndRounds(db, prepared.map(roundTarget), ROUNDS, E2E_TASKS);
      printRounds(rounds, printTable);
      if (E2E_ONLY) {
        writeResults('history-e2e', rounds);
        process.stdout.write(`${JSON.stringify(rounds, null, 2)}\n`);
        return;
      }
      // Each stage's idle minute alone: the database's CPU is every stack's.
      for (const p of prepared) await close(p.target);
      for (const [k, p] of prepared.entries()) {
        const t = await open(`bench_history_${p.size}`, false);
        log(`idle CPU over ${IDLE_SECONDS} s with ${p.size.toLocaleString('en-US')} stored tasks`);
        const idleCpuPercent = await idleCpu(db, t.stack, IDLE_SECONDS);
        await close(t);
        stages.push({ storedHistory: p.size, ...(p.fill ? { fill: p.fill } : {}), probes: probes[k], endToEnd: stageRounds(rounds, p.size), idleCpuPercent });
      }
    }
    if (FILL_ONLY || !ceilings) return;
    const rows = table(stages);
    printTable('Flat with history: medians (ms) through the API, by stored finished tasks', rows);
    printTable('Fill and idle CPU by part (% of a core)', stages.map((s) => ({ stored: s.storedHistory, 'fill tasks/s': s.fill?.perSecond ?? '', ...s.idleCpuPercent })));
    const result = {
      ceilings: {
        insertsPerSec16: ceilings.database.insertsPerSec.c16.perSecond,
        conditionalUpdatesPerSec16: ceilings.database.conditionalUpdatesPerSec.c16.perSecond,
        cursorReadDocsPerSec16: ceilings.database.cursorReadDocsPerSec.c16.perSecond,
        brokerQuorumConfirmedPerSec: ceilings.broker.quorum.publishConfirmed.perSecond,
      },
      stepMs: STEP_MS,
      stages,
    };
    writeResults('history', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const t of [...opened]) await close(t);
    await shared.cleanup();
    db.stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
