import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { readTask, taskModels, type TaskModels, type TaskRecord } from '@taskyard/tasks';
import {
  DEFAULT_KEYS,
  freePort,
  serverEnv,
  startPausableProxy,
  startProcessStack,
  testServers,
  waitFor,
  type PausableProxy,
  type ProcessStack,
  type TestServers,
} from '@taskyard/testing';

// Issue 12, defect 11: a gateway killed between a task's insert and the broker's confirm must leave
// nothing stuck. The gateway runs as a process of its own, reaching RabbitMQ through a proxy the test
// cuts, so its publish is lost and its confirm never comes; it is killed while waiting for it. The submit
// answers 202 once the task is stored, without the confirm: the answer given, the task must still run.
// A short grace, so the relay takes the killed gateway's entry soon, but not too short: a submit must insert its
// task within a third of the grace after its outbox entry was written (Outbox: insertBy) or it answers 503, and
// 1.5 s (500 ms for the slot, list marks and insert) was missed at load 12 (the victim answered 503).
const GRACE = { OUTBOX_GRACE_MS: '9000', OUTBOX_INTERVAL_MS: '250', OUTBOX_IDLE_MAX_MS: '2000', SWEEP_INTERVAL_MS: '1000' };
const LIMITS = { diagnostic: { unfinishedPerOwner: 1, timeoutMs: 20_000, heartbeatWindowMs: 5000 } };
const USER = DEFAULT_KEYS[0];

let servers: TestServers;
let proxy: PausableProxy;
let db: Connection;
let models: TaskModels;
let victim: ChildProcess | undefined;
let victimLog = '';
let stack: ProcessStack | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'submit-crash-'));

beforeAll(async () => {
  servers = await testServers('gw-crash');
  const broker = new URL(servers.rabbitmqUrl);
  proxy = await startPausableProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  db = await mongoose.createConnection(servers.mongoUrl).asPromise();
  models = taskModels(db);
});
afterAll(async () => {
  victim?.kill('SIGKILL');
  await stack?.stop(5000);
  await proxy?.close();
  await db?.close();
  await servers?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The gateway as `npm start` runs it, its broker connection through the proxy. */
async function startVictimGateway(): Promise<string> {
  const port = await freePort();
  const keysFile = path.join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(DEFAULT_KEYS));
  const brokerUrl = new URL(servers.rabbitmqUrl);
  brokerUrl.hostname = '127.0.0.1';
  brokerUrl.port = String(proxy.port);
  const { JEST_WORKER_ID: _jest, ...inherited } = process.env;
  victim = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...inherited,
      ...serverEnv(servers),
      ...GRACE,
      RABBITMQ_URL: brokerUrl.toString(),
      TASKYARD_KEYS_FILE: keysFile,
      TASKYARD_LIMITS: JSON.stringify(LIMITS),
      ENABLE_DIAGNOSTIC: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its warnings and errors (LOG_LEVEL warn), for a failure's message.
  for (const out of [victim.stdout, victim.stderr]) out?.on('data', (chunk: Buffer) => void (victimLog = (victimLog + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the gateway to be ready', async () => {
    if (victim?.exitCode !== null) throw new Error(`the gateway exited with ${victim?.exitCode}`);
    return (await fetch(`${url}/readyz`).catch(() => undefined))?.ok;
  }, { timeoutMs: 120_000, intervalMs: 200 });
  return url;
}

/**
 * What a task that never finished left behind, for a failure's message: two CI timeouts here said nothing more.
 * (Relayed but never folded: queued, no outbox entry, its slot held; the cause was events published before any
 * status partition existed.)
 */
async function whereItStands(id: string): Promise<string> {
  const task = await readTask<TaskRecord>(models.Task, id, { status: 1, attempt: 1 }, 10_000);
  const outbox = await models.Outbox.find({}).lean();
  const slots = await models.Slot.find({}).lean();
  return `the task: ${JSON.stringify(task)}; outbox entries: ${JSON.stringify(outbox)}; slots: ${JSON.stringify(slots)}`;
}

test('a gateway killed while the confirm of a stored task is pending: the task is published and run, and its slot freed', async () => {
  const url = await startVictimGateway();
  proxy.pause();
  const answer = fetch(`${url}/v1/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${USER.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'diagnostic', title: 'submitted as the gateway died', params: {} }),
  }).then(async (r) => `${r.status} ${await r.text()}`, () => 'no answer');
  let answered: string | undefined;
  void answer.then((a) => (answered = a));
  // Stored, answered 202, and its publish sent into the cut: the gateway now waits for a confirm that cannot
  // come (the answer did not wait for it). A CI run at load 20 waited 60 s here with nothing to tell why: a
  // failure now names an answer other than 202 (the submit never got there) and the gateway's log.
  const stored = await waitFor('the task to be stored, answered 202 and its publish sent', async () => {
    if (answered !== undefined && !answered.startsWith('202 ')) throw new Error(`the gateway answered: ${answered}`);
    const [task] = await models.Task.find({}).lean<TaskRecord[]>();
    if (task && proxy.droppedFromClients > 0 && answered !== undefined) return task;
    return undefined;
  }, { timeoutMs: 60_000, intervalMs: 20 }).catch((err: Error) => {
    throw new Error(`${err.message}\nthe gateway's log:\n${victimLog}`);
  });
  // No confirm can have come through the cut: the 202 was given while the publish was still pending.
  expect(proxy.droppedFromClients).toBeGreaterThan(0);
  victim!.kill('SIGKILL');
  await new Promise((r) => victim!.once('exit', r));
  expect(JSON.parse((await answer).slice(4))).toMatchObject({ id: stored._id });
  expect(stored).toMatchObject({ status: 'queued', owner: USER.principal });

  // Another gateway (a replica, or the same one restarted), the status service and a worker.
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS, env: GRACE });
  const done = await waitFor('the task to finish', async () => {
    const t = await readTask<TaskRecord>(models.Task, stored._id, {}, 10_000);
    return t && ['succeeded', 'failed'].includes(t.status) ? t : undefined;
  }, { timeoutMs: 90_000, intervalMs: 200 }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await whereItStands(stored._id)}`);
  });
  expect(done.status).toBe('succeeded');
  // The owner's only slot is free again: the next submit is accepted, and nothing is left in the outbox.
  await waitFor('the slot to be freed', async () => (await models.Slot.countDocuments({})) === 0, { timeoutMs: 15_000 });
  await waitFor('the outbox to be empty', async () => (await models.Outbox.countDocuments({})) === 0, { timeoutMs: 15_000 });
  const next = await fetch(`${stack.gatewayUrl}/v1/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${USER.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'diagnostic', params: {} }),
  });
  expect(next.status).toBe(202);
}, 300_000);
