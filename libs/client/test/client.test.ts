import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { TaskyardApiError, TaskyardClient, type WatchFrame } from '../src';
import { testServers, startProcessStack, type ProcessStack, type TestServers } from '@taskyard/testing';

// The typed client against the real stack: gateway, status service and a diagnostic worker.
let servers: TestServers;
let stack: ProcessStack;

const LIMITS = { diagnostic: { timeoutMs: 30_000, backoffMs: [500], prefetch: 4 } };
const userKey = (): string => stack.keys.find((k) => k.role === 'user')!.key;
const client = (baseUrl = stack.gatewayUrl): TaskyardClient => new TaskyardClient({ baseUrl, apiKey: userKey() });

beforeAll(async () => {
  servers = await testServers('client');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

async function framesOf(id: string, c = client()): Promise<WatchFrame[]> {
  const frames: WatchFrame[] = [];
  for await (const f of c.watch(id, { backoff: { initialMs: 50 } })) frames.push(f);
  return frames;
}

test('submit, watch to the end with progress and logs, then get, logs and download', async () => {
  const answer = await client().submit({ type: 'diagnostic', title: 'client test', params: { progressSteps: 3, sleepMs: 600, artifactBytes: 70_000 } });
  expect(answer).toMatchObject({ created: true, status: 'queued', statusUrl: `/v1/tasks/${answer.id}` });
  const frames = await framesOf(answer.id);
  expect(frames[0]).toMatchObject({ event: 'snapshot', task: { id: answer.id, title: 'client test' } });
  expect(frames.at(-1)).toEqual({ event: 'end', status: 'succeeded' });
  const logged = frames.flatMap((f) => (f.event === 'update' ? (f.update.logs ?? []).map((l) => l.message) : []));
  expect(logged).toEqual(expect.arrayContaining(['step 1 of 3', 'step 3 of 3']));

  const task = await client().settled(answer.id);
  expect(task.status).toBe('succeeded');
  expect((await client().logs(answer.id)).map((l) => l.message)).toEqual(expect.arrayContaining(['step 2 of 3']));
  const { artifact, body } = await client().download(answer.id, 'diagnostic.bin');
  const bytes = Buffer.from(await new Response(body).arrayBuffer());
  expect([artifact.name, bytes.length]).toEqual(['diagnostic.bin', 70_000]);
  await expect(client().download(answer.id, 'nope.bin')).rejects.toMatchObject({ status: 404, code: 'artifact-not-found' });
});

test('an Idempotency-Key repeat answers the first task, not a new one', async () => {
  const first = await client().submit({ type: 'diagnostic', params: {} }, { idempotencyKey: 'client-key-1' });
  const again = await client().submit({ type: 'diagnostic', params: {} }, { idempotencyKey: 'client-key-1' });
  expect([first.created, again.created, again.id]).toEqual([true, false, first.id]);
  // Ended before the next test, whose three submits would otherwise meet the owner's limit of 3 unfinished
  // (the 202 no longer waits for the broker's confirm, so submits outpace the worker).
  await expect(client().wait(first.id)).resolves.toMatchObject({ status: 'succeeded' });
});

test('list pages with a cursor, and listAll walks every page', async () => {
  const tag = `client-list-${Date.now()}`;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await client().submit({ type: 'diagnostic', tag, params: {} })).id);
  const first = await client().list({ tag, limit: 2 });
  expect(first.items).toHaveLength(2);
  expect(first.nextCursor).toEqual(expect.any(String));
  const all: string[] = [];
  for await (const t of client().listAll({ tag, limit: 2 })) all.push(t.id);
  expect(all.sort()).toEqual([...ids].sort());
});

test('cancel stops a running task and the wait answers it cancelled', async () => {
  const { id } = await client().submit({ type: 'diagnostic', params: { hang: true } });
  for await (const f of client().watch(id)) if (f.event === 'update' && f.update.status === 'running') break;
  expect((await client().cancel(id)).id).toBe(id);
  expect((await client().wait(id)).status).toBe('cancelled');
});

test("API errors are typed with the API's code; another owner's task is not found", async () => {
  const err = await client().get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TaskyardApiError);
  expect(err).toMatchObject({ status: 404, code: 'not-found' });
  await expect(client().submit({ type: 'diagnostic', params: { sleepMs: 'long' } })).rejects.toMatchObject({ status: 400 });
  const { id } = await client().submit({ type: 'diagnostic', params: {} });
  const other = new TaskyardClient({ baseUrl: stack.gatewayUrl, apiKey: stack.keys.filter((k) => k.role === 'user')[1]!.key });
  await expect(other.get(id)).rejects.toMatchObject({ status: 404 });
  await expect(new TaskyardClient({ baseUrl: stack.gatewayUrl, apiKey: 'wrong' }).list()).rejects.toMatchObject({ status: 401 });
});

/** A TCP proxy to the gateway that cuts its first connection once the first bytes came back. */
async function cuttingProxy(target: URL): Promise<{ url: string; cuts: number; close(): Promise<void> }> {
  const state = { cuts: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection(Number(target.port), target.hostname);
    sockets.add(inbound).add(outbound);
    const cutThis = state.cuts === 0;
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => {
      inbound.write(chunk);
      if (cutThis && state.cuts === 0) {
        state.cuts += 1;
        setTimeout(() => {
          inbound.destroy();
          outbound.destroy();
        }, 50);
      }
    });
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get cuts() {
      return state.cuts;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('a watch whose stream breaks reconnects and still sees the end', async () => {
  const { id } = await client().submit({ type: 'diagnostic', params: { progressSteps: 4, sleepMs: 2_000 } });
  const proxy = await cuttingProxy(new URL(stack.gatewayUrl));
  try {
    const frames = await framesOf(id, client(proxy.url));
    expect(proxy.cuts).toBe(1);
    const kinds = frames.map((f) => f.event);
    expect(kinds).toContain('reconnecting');
    // Each stream starts with a snapshot: one before the break, one after.
    expect(kinds.filter((k) => k === 'snapshot').length).toBeGreaterThanOrEqual(2);
    expect(frames.at(-1)).toEqual({ event: 'end', status: 'succeeded' });
  } finally {
    await proxy.close();
  }
});
