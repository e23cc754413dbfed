import { connect } from 'amqplib';
import { priorityQueueName } from '@taskyard/contracts';
import { callGateway, startProcessStack, testServers, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// A worker process holds one message beyond its slots (MESSAGES_AHEAD), so the next job is in hand when one
// ends; the one ahead does not start while the slot is taken (a CPU-bound type runs one job at a time).
let servers: TestServers;
let stack: ProcessStack;
const LIMITS = { diagnostic: { prefetch: 1, unfinishedPerOwner: 50, heartbeatWindowMs: 30_000 } };

interface TaskView {
  status: string;
  startedAt?: string;
  finishedAt?: string;
}

const user = (): string => stack.keys.find((k) => k.role === 'user')!.key;

async function submit(params: Record<string, unknown>): Promise<string> {
  const res = await callGateway<{ id: string }>(stack.gatewayUrl, user(), 'POST', '/v1/tasks', { type: 'diagnostic', params });
  expect(res.status).toBe(202);
  return res.body.id;
}

const task = async (id: string): Promise<TaskView> => (await callGateway<TaskView>(stack.gatewayUrl, user(), 'GET', `/v1/tasks/${id}`)).body;

/** Messages of the diagnostic type's normal queue not handed to a consumer. */
async function readyMessages(): Promise<number> {
  const conn = await connect(servers.rabbitmqUrl);
  try {
    const ch = await conn.createChannel();
    return (await ch.checkQueue(priorityQueueName('diagnostic', 'normal'))).messageCount;
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  servers = await testServers('worker-message-ahead');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await servers?.cleanup();
});

test('one slot: the worker holds the running job and one ahead, starts them one at a time, the rest stay queued', async () => {
  // The first runs 10 s, so what is seen within 5 s of its start is seen while it runs.
  const ids = [await submit({ sleepMs: 10_000 })];
  for (let i = 0; i < 3; i++) ids.push(await submit({ sleepMs: 100 }));
  await waitFor('the first task running', async () => (await task(ids[0])).status === 'running');
  // 4 queued: 1 running, 1 in hand ahead, 2 left in the queue (3 with no message ahead).
  await waitFor('two messages in the worker\'s hands', async () => (await readyMessages()) === 2, { timeoutMs: 5_000, intervalMs: 100 });
  expect((await task(ids[0])).status).toBe('running');
  expect((await task(ids[1])).status).toBe('queued');
  const done = await Promise.all(ids.map((id) => waitFor(`task ${id} succeeded`, async () => {
    const t = await task(id);
    return t.status === 'succeeded' ? t : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 })));
  // One at a time: each starts no earlier than the one before it finished.
  for (let i = 1; i < done.length; i++) expect(Date.parse(done[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(done[i - 1].finishedAt!));
}, 60_000);
