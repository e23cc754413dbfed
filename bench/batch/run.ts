// CLI: npx tsx bench/batch/run.ts [tasks=2000]. Cost per task of POST /v1/tasks:batch against single
// POST /v1/tasks, on the product running as processes (gateway + status service, no workers: every task
// stays queued). JSON on stdout, the table on stderr, JSON also to bench/results/batch.json.
import { readFileSync } from 'node:fs';
import { startProcessStack, testServers } from '@taskyard/testing';
import { cpuPerTask, cpuSeconds, type CpuSeconds } from '../lifecycle/cpu-accounting';
import { printTable, writeResults } from '../lib/report';

const TASKS = Number(process.argv[2] ?? 2000);
const SINGLE_CONCURRENCY = 32;
const BATCH_SIZE = 1000;

interface Run {
  mode: string;
  tasks: number;
  seconds: number;
  msPerTask: number;
  cpuMsPerTask: Record<string, number>;
}

const PARTS = ['ferretdb', 'postgresql', 'rabbitmq'];

/** CPU seconds of one process (this stack's gateway), from /proc. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function cpuOf(before: CpuSeconds, after: CpuSeconds, tasks: number): Record<string, number> {
  const rows = cpuPerTask(before, after, tasks);
  return Object.fromEntries(PARTS.map((p) => [p, rows.find((r) => r.part === p)?.msPerTask ?? 0]));
}

async function measure(mode: string, tasks: number, gatewayPid: number, send: () => Promise<number>): Promise<Run> {
  const cpu0 = cpuSeconds();
  const gw0 = processCpu(gatewayPid);
  const t0 = process.hrtime.bigint();
  const accepted = await send();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (accepted !== tasks) throw new Error(`${mode}: ${accepted} of ${tasks} accepted`);
  const gateway = Number(((1000 * (processCpu(gatewayPid) - gw0)) / tasks).toFixed(3));
  return { mode, tasks, seconds: Number(seconds.toFixed(2)), msPerTask: Number(((1000 * seconds) / tasks).toFixed(3)), cpuMsPerTask: { gateway, ...cpuOf(cpu0, cpuSeconds(), tasks) } };
}

async function main(): Promise<void> {
  const servers = await testServers('bench-batch');
  const stack = await startProcessStack({ servers, limits: { diagnostic: { unfinishedPerOwner: 1_000_000 } } });
  const key = stack.keys.find((k) => k.role === 'user')!.key;
  const gatewayPid = stack.processes.find((p) => p.name === 'gateway')!.child.pid!;
  const post = async (path: string, body: unknown): Promise<Response> =>
    fetch(stack.gatewayUrl + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const task = { type: 'diagnostic', params: { sleepMs: 1 } };
  try {
    await post('/v1/tasks', task); // warm up the route and the connections
    const single = await measure('single POST /v1/tasks', TASKS, gatewayPid, async () => {
      let next = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: SINGLE_CONCURRENCY }, async () => {
          while (next++ < TASKS) if ((await post('/v1/tasks', task)).status === 202) ok += 1;
        }),
      );
      return ok;
    });
    const batch = await measure(`POST /v1/tasks:batch (${BATCH_SIZE} a request)`, TASKS, gatewayPid, async () => {
      let ok = 0;
      for (let i = 0; i < TASKS; i += BATCH_SIZE) {
        const res = await post('/v1/tasks:batch', { tasks: Array.from({ length: Math.min(BATCH_SIZE, TASKS - i) }, () => task) });
        ok += ((await res.json()) as { accepted: number }).accepted;
      }
      return ok;
    });
    const result = {
      tasks: TASKS,
      runs: [single, batch],
      ratio: {
        wallMsPerTask: Number((batch.msPerTask / single.msPerTask).toFixed(3)),
        gatewayCpuPerTask: Number((batch.cpuMsPerTask.gateway / single.cpuMsPerTask.gateway).toFixed(3)),
      },
      note: "The gateway's CPU is its own process's; the servers' is read from /proc for the whole machine by process kind (shared with other users of the servers: noisy).",
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printTable(
      `Bulk submit vs single submits, ${TASKS} tasks each (batch/single wall ratio ${result.ratio.wallMsPerTask})`,
      result.runs.map((r) => ({ mode: r.mode, seconds: r.seconds, 'ms/task': r.msPerTask, 'gateway cpu ms/task': r.cpuMsPerTask.gateway, ...Object.fromEntries(PARTS.map((p) => [`${p} cpu ms/task`, r.cpuMsPerTask[p]])) })),
    );
    process.stderr.write(`\nwrote ${writeResults('batch', result)}\n`);
  } finally {
    await stack.stop(5_000);
    await servers.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
