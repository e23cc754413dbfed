import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { measureCeilings } from '../ceilings/measure';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';
import { measureBullmq } from './bullmq';
import { benchServers } from './bench-servers';
import { startCelery } from './celery';
import { alternate, type Rounds } from './rounds';
import { DEFAULT_WARM_UP_TASKS } from './warm-up';
import type { CpuBound } from './cpu-bound';
import type { EndToEnd } from './end-to-end';
import { DEFAULT_SUBMIT_CLIENTS, TASKYARD_PARTS, measureTaskyard, measureTaskyardNoop, measureTaskyardSubmits, type TaskyardPart, type TaskyardResult } from './taskyard';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/** Installs Redis (Debian) and Celery (PyPI) when missing; the path of the venv's python. */
function installPeers(): string {
  return execFileSync('bash', [resolve(__dirname, 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

/** No-op tasks each system runs at the start of each end-to-end round, before it is measured. */
const ROUND_WARM_UP_TASKS = 300;

const PART_ORDER = ['ferretdb', 'postgresql', 'rabbitmq', 'redis', 'gateway', 'status', 'worker', 'load generator'];

function systemRows(name: string, e: EndToEnd): Row[] {
  return [
    { measure: `${name}: end-to-end no-op tasks/s`, value: e.perSecond },
    { measure: `${name}: CPU ms per task, total`, value: e.cpuMsPerTaskTotal },
    ...PART_ORDER.filter((p) => e.cpuMsPerTask[p] !== undefined).map((p) => ({ measure: `${name}:   ${p}`, value: e.cpuMsPerTask[p] })),
    { measure: `${name}: DB writes per task`, value: e.writesPerTask ?? '-' },
    { measure: `${name}: DB table scans per task`, value: e.scansPerTask ?? '-' },
    ...(e.brokerPerTask ? [{ measure: `${name}: broker publish/confirm/deliver/ack/redeliver per task`, value: Object.values(e.brokerPerTask).join(' / ') }] : []),
  ];
}

/**
 * `--only=taskyard`: Taskyard's no-op tasks end to end on 1 worker and nothing else (a step's effect in a minute);
 * `--only=submits`: the same submits with no worker (the submit's share: CPU per accepted submit by part).
 */
async function onlyTaskyard(what: 'taskyard' | 'submits', tasks: number, unfinishedPerOwner: number, warmUp: number, clients?: number): Promise<void> {
  const servers = await benchServers(privateBroker(), log);
  try {
    const measure = what === 'taskyard' ? measureTaskyardNoop : measureTaskyardSubmits;
    const e = await measure({ servers, tasks, unfinishedPerOwner, clients, warmUp, log });
    const title = what === 'taskyard' ? 'Taskyard alone (no-op tasks, 1 worker process)' : 'Taskyard submits alone (no worker; per task = per accepted submit)';
    printTable(title, systemRows('taskyard', e));
    process.stdout.write(`${JSON.stringify({ measuredAt: new Date().toISOString(), tasks, taskyard: { [what === 'taskyard' ? 'endToEnd' : 'submitsAlone']: e } }, null, 2)}\n`);
  } finally {
    await servers.cleanup();
  }
}

/** `--broker=private`: a RabbitMQ node of the run's own for every system (see bench-servers.ts); default the shared one. */
function privateBroker(): boolean {
  const broker = arg('broker') ?? 'shared';
  if (broker !== 'shared' && broker !== 'private') throw new Error(`--broker takes shared or private; not ${broker}`);
  return broker === 'private';
}

/** `--only=submit,cpu-bound` (any of TASKYARD_PARTS): just those Taskyard parts, no peers; default: everything. */
function chosenParts(): Set<TaskyardPart> {
  const only = arg('only');
  if (!only) return new Set(TASKYARD_PARTS);
  const parts = only.split(',');
  const unknown = parts.filter((p) => !(TASKYARD_PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`--only takes ${TASKYARD_PARTS.join(', ')}; not ${unknown.join(', ')}`);
  return new Set(parts as TaskyardPart[]);
}

/** Our other processes' CPU seconds, then the shared servers'. */
function othersLine(cpuS: Record<string, number>): string {
  const sum = (parts: string[]): number => round(parts.reduce((a, p) => a + (cpuS[p] ?? 0), 0), 2);
  return `${sum(['gateway', 'status', 'load generator'])}, ${sum(['ferretdb', 'postgresql', 'rabbitmq'])}`;
}

/** Each round of a system on one line: tasks/s, CPU ms per task in all and by part, load average. */
function roundRows(name: string, r: Rounds): Row[] {
  return r.rounds.map((e, i) => ({
    measure: `${name}: round ${i + 1} tasks/s; CPU ms/task total (${PART_ORDER.filter((p) => e.cpuMsPerTask[p] !== undefined).join(', ')}); load`,
    value: `${e.perSecond}; ${e.cpuMsPerTaskTotal} (${PART_ORDER.filter((p) => e.cpuMsPerTask[p] !== undefined).map((p) => e.cpuMsPerTask[p]).join(', ')}); ${e.loadAverage[0]}`,
  }));
}

/** A figure by part in PART_ORDER (the CPU-bound rounds' idle rate, per-task cost). */
const byPart = (figures: Record<string, number> | undefined): string =>
  figures ? PART_ORDER.filter((p) => figures[p] !== undefined).map((p) => `${p.split(' ')[0]} ${figures[p]}`).join(', ') : '-';

/** The CPU-bound rounds' CPU by part: each part's rate with the stack idle, and what each task cost it beyond that. */
function cpuBoundPartRows(cpu: CpuBound): Row[] {
  return cpu.rounds.flatMap((r, i) =>
    (['one', 'two'] as const).flatMap((k) => [
      { measure: `CPU-bound round ${i + 1}, ${k === 'one' ? 1 : 2} w: idle CPU ms/s by part`, value: byPart(r[k].idleCpuMsPerSec) },
      { measure: `CPU-bound round ${i + 1}, ${k === 'one' ? 1 : 2} w: CPU ms per task beyond idle (worker: beyond the job)`, value: byPart(r[k].perTaskCpuMs) },
      { measure: `CPU-bound round ${i + 1}, ${k === 'one' ? 1 : 2} w: status per task: events by kind, task reads, writes`, value: Object.entries(r[k].statusPerTask ?? {}).map(([c, n]) => `${c} ${n}`).join(', ') },
    ]),
  );
}

function taskyardRows(taskyard: TaskyardResult): Row[] {
  const rows: Row[] = [];
  if (taskyard.endToEndRounds) rows.push(...roundRows('taskyard', taskyard.endToEndRounds));
  if (taskyard.endToEnd) rows.push(...systemRows(taskyard.endToEndRounds ? 'taskyard (medians)' : 'taskyard', taskyard.endToEnd));
  if (taskyard.endToEndTwoWorkers) rows.push({ measure: 'taskyard: end-to-end tasks/s, 2 worker processes', value: taskyard.endToEndTwoWorkers.perSecond });
  const cpu = taskyard.cpuBound;
  if (cpu) {
    const each = <T>(f: (r: CpuBound['rounds'][number]['one']) => T): string => cpu.rounds.map((r) => `${f(r.one)}, ${f(r.two)}`).join('; ');
    rows.push(
      { measure: `CPU-bound (${cpu.cpuMsPerTask} ms, prefetch ${cpu.prefetch}) tasks/s, 1 worker, each round`, value: cpu.oneWorkerPerSec.join(' / ') },
      { measure: 'CPU-bound tasks/s, 2 workers, each round', value: cpu.twoWorkersPerSec.join(' / ') },
      { measure: 'CPU-bound 2 / 1 workers, each round', value: cpu.ratios.join(' / ') },
      { measure: 'CPU-bound 2 / 1 workers, medians (target >= 1.8)', value: cpu.ratio },
      { measure: 'CPU-bound 2 workers: tasks per process, each round', value: cpu.rounds.map((r) => r.two.split.join('+')).join(' / ') },
      { measure: 'CPU-bound s to all submitted / all seen finished (1 w, 2 w; ...)', value: each((x) => `${x.submittedAfterS}/${x.finishedAfterS}`) },
      { measure: 'CPU-bound s to first start / last start / last end (records)', value: each((x) => `${x.firstStartAfterS}/${x.lastStartAfterS}/${x.lastEndAfterS}`) },
      { measure: 'CPU-bound 1 worker: mean ms from an end to the next start', value: cpu.rounds.map((r) => r.one.meanTurnaroundMs ?? '-').join(' / ') },
      { measure: 'CPU-bound workers: CPU s and busy until s (2 workers)', value: cpu.rounds.map((r) => r.two.workers.map((w) => `${w.cpuS}@${w.busyUntilS}`).join('+')).join(' / ') },
      { measure: 'CPU-bound worker thread s on a core / waiting for one / idle (1 w; 2 w)', value: each((x) => x.workers.map((w) => `${w.runS}/${w.coreWaitS}/${w.idleS}`).join('+')) },
      { measure: 'CPU-bound s had no worker waited for a core (1 w, 2 w; ...)', value: each((x) => x.withoutCoreWaitS) },
      { measure: 'CPU-bound 2 / 1 without the wait for a core, each round; medians', value: `${cpu.ratiosWithoutCoreWait.join(' / ')}; ${cpu.ratioWithoutCoreWait}` },
      { measure: 'CPU-bound others CPU s (2 workers): gateway+status+load, servers', value: cpu.rounds.map((r) => othersLine(r.two.othersCpuS)).join(' / ') },
      { measure: 'CPU-bound machine busy share / load average (1 w, 2 w; ...)', value: each((x) => `${x.machineBusyShare}/${x.loadAverage}`) },
      ...cpuBoundPartRows(cpu),
    );
  }
  const sub = taskyard.submit;
  if (sub) {
    const lat = sub.latencyAtHalfRate;
    rows.push(
      { measure: 'submit accepted/s, 50 connections', value: sub.sustainedAcceptedPerSec },
      { measure: `submit p50 ms, 1,000 connections at ${lat.offeredPerSec}/s`, value: lat.p50ms },
      { measure: 'submit p99 ms, same (target <= 100)', value: lat.p99ms },
      { measure: 'submit max ms, same; answers by status', value: `${lat.maxMs}; ${JSON.stringify(lat.statuses)}` },
      { measure: 'connections opened while measuring (1,000 kept open: 0)', value: lat.newConnections },
      { measure: 'gateway event loop delay p99 / max ms, same', value: `${sub.gateway.eventLoopDelayP99ms} / ${sub.gateway.eventLoopDelayMaxMs}` },
      { measure: 'gateway CPU ms per submit; share of a core, same', value: `${sub.gateway.cpuMsPerSubmit}; ${sub.gateway.coreShare}` },
      { measure: 'machine busy share (2 cores, all load), same', value: sub.gateway.machineBusyShare },
      { measure: 'gateway thread share on a core / waiting for one / idle, same', value: `${sub.gateway.threadShares.run} / ${sub.gateway.threadShares.coreWait} / ${sub.gateway.threadShares.idle}` },
      { measure: 'gateway GC pauses and ms by kind, same', value: Object.entries(sub.gateway.gc).map(([k, g]) => `${k} ${g.count}/${g.ms}`).join(', ') },
      { measure: 'load generator event loop delay p99 ms; its send lag p99 ms, same', value: `${sub.gateway.clientEventLoopDelayP99ms}; ${lat.sendLagP99ms}` },
      ...Object.entries(sub.gateway.stages).map(([stage, s]) => ({ measure: `  stage ${stage}: mean ms / p99 <= ms`, value: `${s.meanMs} / ${s.p99UpperMs}` })),
      { measure: 'load average before / after submit', value: `${sub.loadAverageBefore.join(' ')} / ${sub.loadAverageAfter.join(' ')}` },
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  // Tasks per end-to-end round: at 500 a quiet round lasted 1 s, its end seen up to 100 ms late.
  const tasks = Number(arg('tasks') ?? (quick ? 1000 : 3000));
  // End-to-end rounds, Taskyard and Celery in turn (and CPU-bound rounds): the medians are compared.
  const rounds = Number(arg('rounds') ?? 3);
  // 0: the diagnostic type without an unfinished limit (as Celery has none); a number: with that quota.
  const unfinishedPerOwner = Number(arg('quota') ?? 0);
  // Taskyard's submitting clients: each waits for its 202, where Celery's one client waits for nothing.
  const clients = arg('clients') === undefined ? undefined : Number(arg('clients'));
  // Tasks each system runs before it is measured: steady state, its hot code optimized (see warm-up.ts).
  const warmUp = Number(arg('warm') ?? DEFAULT_WARM_UP_TASKS);
  const only = arg('only');
  if (only === 'taskyard' || only === 'submits') return onlyTaskyard(only, tasks, unfinishedPerOwner, warmUp, clients);
  const parts = chosenParts();
  const withPeers = parts.has('end-to-end');
  const python = withPeers ? (log('installing the peers when missing (Redis from Debian, Celery from PyPI)'), installPeers()) : '';
  const servers = await benchServers(privateBroker(), log);
  const roundWarmUp = Math.min(ROUND_WARM_UP_TASKS, warmUp);
  let celeryRounds: Rounds | undefined;
  // Taskyard's end-to-end rounds and Celery's, in turn: Celery starts (and warms up) once Taskyard's stack is warm.
  const withCelery = async (taskyardRound: () => Promise<EndToEnd>): Promise<Rounds> => {
    const celery = await startCelery({ servers, python, warmUp, roundWarmUp, log });
    try {
      const both = await alternate({ taskyard: taskyardRound, celery: () => celery.round(tasks) }, rounds);
      celeryRounds = both.celery;
      return both.taskyard;
    } finally {
      await celery.stop();
    }
  };
  try {
    log('ceilings (same run)');
    const ceilings = await measureCeilings({ servers, dbMs: quick ? 1500 : 3000, brokerMs: 1500, objects: { smallObjects: 50, largeObjects: 2 } });
    const taskyard = await measureTaskyard({
      servers,
      tasks,
      unfinishedPerOwner,
      clients,
      warmUp,
      // 40 in every mode: with 20 (2 s of work on 2 workers) the fixed part of a round (submits before the first
      // start, the last finish seen up to 100 ms late) alone held the 2 / 1 ratio near 1.85 at best.
      cpuBoundTasks: 40,
      cpuMsPerTask: 200,
      // The median of 3 rounds: one round's 1 and 2 workers run seconds apart, and others' load moves between them.
      cpuBoundRounds: rounds,
      // A CPU-bound type runs one job at a time per process (one thread) and holds no message it cannot start.
      cpuBoundPrefetch: Number(arg('cpu-prefetch') ?? 1),
      // How long a CPU-bound run's `started` waits to ride on its outcome (the workers' START_DELAY_MS), to compare.
      cpuBoundStartDelayMs: arg('cpu-start-delay') === undefined ? undefined : Number(arg('cpu-start-delay')),
      submitSeconds: quick ? 5 : 10,
      parts,
      roundWarmUp,
      alternate: withPeers ? withCelery : undefined,
      log,
    });
    const ceilingFigures = {
      insertsPerSec16: ceilings.database.insertsPerSec.c16.perSecond,
      conditionalUpdatesPerSec16: ceilings.database.conditionalUpdatesPerSec.c16.perSecond,
      brokerConfirmedPerSec: ceilings.broker,
    };
    const ceilingRows: Row[] = [
      { measure: 'ceiling: inserts/s (16 clients)', value: ceilingFigures.insertsPerSec16 },
      { measure: 'ceiling: conditional updates/s (16 clients)', value: ceilingFigures.conditionalUpdatesPerSec16 },
    ];
    if (!withPeers) {
      const result = { measuredAt: new Date().toISOString(), parts: [...parts], ceilings: ceilingFigures, taskyard };
      printTable(`Taskyard only (${[...parts].join(', ')})`, [...taskyardRows(taskyard), ...ceilingRows]);
      writeResults(`peers-${[...parts].join('-')}`, result);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const celery = celeryRounds!.median;
    const bullmq = await measureBullmq({ tasks: tasks * 3, warmUp, log });
    const t = taskyard.endToEnd!;
    const ratios = {
      // The ratio of the rounds' medians.
      tasksPerSecTaskyardToCelery: round(t.perSecond / celery.perSecond, 2),
      tasksPerSecTaskyardToBullmq: round(t.perSecond / bullmq.perSecond, 3),
      cpuMsPerTaskTaskyardToCelery: round(t.cpuMsPerTaskTotal / celery.cpuMsPerTaskTotal, 2),
      cpuMsPerTaskTaskyardToBullmq: round(t.cpuMsPerTaskTotal / bullmq.cpuMsPerTaskTotal, 1),
    };
    const result = {
      measuredAt: new Date().toISOString(),
      tasks,
      taskyardQuota: unfinishedPerOwner || 'none',
      taskyardClients: clients ?? DEFAULT_SUBMIT_CLIENTS,
      ceilings: ceilingFigures,
      rounds,
      taskyard,
      celery,
      celeryRounds,
      bullmq,
      ratios,
    };
    const rows: Row[] = [
      ...taskyardRows(taskyard),
      ...roundRows('celery', celeryRounds!),
      ...systemRows('celery (medians)', celery),
      ...systemRows('bullmq', bullmq),
      { measure: 'ratio of medians tasks/s taskyard / celery (target >= 1.0)', value: ratios.tasksPerSecTaskyardToCelery },
      { measure: 'ratio of medians CPU ms/task taskyard / celery', value: ratios.cpuMsPerTaskTaskyardToCelery },
      { measure: 'ratio tasks/s taskyard / bullmq', value: ratios.tasksPerSecTaskyardToBullmq },
      { measure: 'ratio CPU ms/task taskyard / bullmq', value: ratios.cpuMsPerTaskTaskyardToBullmq },
      ...ceilingRows,
      ...Object.entries(t.backgroundCpuMsPerSec).map(([p, v]) => ({ measure: `others' load before taskyard's run: ${p} CPU ms/s`, value: v })),
    ];
    printTable('Taskyard, Celery and BullMQ on the same broker and database', rows);
    writeResults('peers', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await servers.cleanup();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
