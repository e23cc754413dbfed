import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { testServers } from '@taskyard/testing';
import { measureCeilings } from '../ceilings/measure';
import { round } from '../lib/rate';
import { printTable, writeResults, type Row } from '../lib/report';
import { measureBullmq } from './bullmq';
import { measureCelery } from './celery';
import type { EndToEnd } from './end-to-end';
import { measureTaskyard, measureTaskyardNoop } from './taskyard';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/** Installs Redis (Debian) and Celery (PyPI) when missing; the path of the venv's python. */
function installPeers(): string {
  return execFileSync('bash', [resolve(__dirname, 'install.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

const PART_ORDER = ['ferretdb', 'postgresql', 'rabbitmq', 'redis', 'gateway', 'status', 'worker', 'load generator'];

function systemRows(name: string, e: EndToEnd): Row[] {
  return [
    { measure: `${name}: end-to-end no-op tasks/s`, value: e.perSecond },
    { measure: `${name}: CPU ms per task, total`, value: e.cpuMsPerTaskTotal },
    ...PART_ORDER.filter((p) => e.cpuMsPerTask[p] !== undefined).map((p) => ({ measure: `${name}:   ${p}`, value: e.cpuMsPerTask[p] })),
    { measure: `${name}: DB writes per task`, value: e.writesPerTask ?? '-' },
    { measure: `${name}: DB table scans per task`, value: e.scansPerTask ?? '-' },
  ];
}

/** `--only=taskyard`: Taskyard's no-op tasks end to end on 1 worker and nothing else (a step's effect in a minute). */
async function onlyTaskyard(tasks: number, unfinishedPerOwner: number): Promise<void> {
  const servers = await testServers('bench-peers');
  try {
    const e = await measureTaskyardNoop({ servers, tasks, unfinishedPerOwner, log });
    printTable('Taskyard alone (no-op tasks, 1 worker process)', systemRows('taskyard', e));
    process.stdout.write(`${JSON.stringify({ measuredAt: new Date().toISOString(), tasks, taskyard: { endToEnd: e } }, null, 2)}\n`);
  } finally {
    await servers.cleanup();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const tasks = Number(arg('tasks') ?? (quick ? 500 : 3000));
  // 0: the diagnostic type without an unfinished limit (as Celery has none); a number: with that quota.
  const unfinishedPerOwner = Number(arg('quota') ?? 0);
  if (arg('only') === 'taskyard') return onlyTaskyard(tasks, unfinishedPerOwner);
  log('installing the peers when missing (Redis from Debian, Celery from PyPI)');
  const python = installPeers();
  const servers = await testServers('bench-peers');
  try {
    log('ceilings (same run)');
    const ceilings = await measureCeilings({ servers, dbMs: quick ? 1500 : 3000, brokerMs: 1500, objects: { smallObjects: 50, largeObjects: 2 } });
    const taskyard = await measureTaskyard({
      servers,
      tasks,
      unfinishedPerOwner,
      cpuBoundTasks: quick ? 20 : 40,
      cpuMsPerTask: 200,
      submitSeconds: quick ? 5 : 10,
      log,
    });
    const celery = await measureCelery({ servers, python, tasks, log });
    const bullmq = await measureBullmq({ tasks: tasks * 3, log });
    const t = taskyard.endToEnd;
    const ratios = {
      tasksPerSecTaskyardToCelery: round(t.perSecond / celery.perSecond, 2),
      tasksPerSecTaskyardToBullmq: round(t.perSecond / bullmq.perSecond, 3),
      cpuMsPerTaskTaskyardToCelery: round(t.cpuMsPerTaskTotal / celery.cpuMsPerTaskTotal, 2),
      cpuMsPerTaskTaskyardToBullmq: round(t.cpuMsPerTaskTotal / bullmq.cpuMsPerTaskTotal, 1),
    };
    const result = {
      measuredAt: new Date().toISOString(),
      tasks,
      taskyardQuota: unfinishedPerOwner || 'none',
      ceilings: {
        insertsPerSec16: ceilings.database.insertsPerSec.c16.perSecond,
        conditionalUpdatesPerSec16: ceilings.database.conditionalUpdatesPerSec.c16.perSecond,
        brokerConfirmedPerSec: ceilings.broker,
      },
      taskyard,
      celery,
      bullmq,
      ratios,
    };
    const lat = taskyard.submit.latencyAtHalfRate;
    const rows: Row[] = [
      ...systemRows('taskyard', t),
      { measure: 'taskyard: end-to-end tasks/s, 2 worker processes', value: taskyard.endToEndTwoWorkers.perSecond },
      ...systemRows('celery', celery),
      ...systemRows('bullmq', bullmq),
      { measure: 'ratio tasks/s taskyard / celery (target >= 1.0)', value: ratios.tasksPerSecTaskyardToCelery },
      { measure: 'ratio CPU ms/task taskyard / celery', value: ratios.cpuMsPerTaskTaskyardToCelery },
      { measure: 'ratio tasks/s taskyard / bullmq', value: ratios.tasksPerSecTaskyardToBullmq },
      { measure: 'ratio CPU ms/task taskyard / bullmq', value: ratios.cpuMsPerTaskTaskyardToBullmq },
      { measure: `CPU-bound (${taskyard.cpuBound.cpuMsPerTask} ms) tasks/s, 1 worker`, value: taskyard.cpuBound.oneWorkerPerSec },
      { measure: 'CPU-bound tasks/s, 2 workers', value: taskyard.cpuBound.twoWorkersPerSec },
      { measure: 'CPU-bound 2 / 1 workers (target >= 1.8)', value: taskyard.cpuBound.ratio },
      { measure: 'submit accepted/s, 50 connections', value: taskyard.submit.sustainedAcceptedPerSec },
      { measure: `submit p50 ms, 1,000 connections at ${lat.offeredPerSec}/s`, value: lat.p50ms },
      { measure: 'submit p99 ms, same (target <= 100)', value: lat.p99ms },
      { measure: 'ceiling: inserts/s (16 clients)', value: result.ceilings.insertsPerSec16 },
      { measure: 'ceiling: conditional updates/s (16 clients)', value: result.ceilings.conditionalUpdatesPerSec16 },
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
