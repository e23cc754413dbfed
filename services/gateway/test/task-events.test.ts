import { connect, type Socket } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { waitFor } from '@taskyard/testing';
import { publishEvent, type ConfirmPublisher } from '@taskyard/messaging';
import type { TaskEventInput } from '@taskyard/contracts';
import { keyOf, startHarness, startTestPublisher, type Harness } from './gateway-harness';
import { SseReader } from './sse-reader';

let h: Harness;
let publisher: ConfirmPublisher;
let closePublisher: () => Promise<void>;
let db: Connection;

beforeAll(async () => {
  h = await startHarness('gw-sse');
  ({ publisher, close: closePublisher } = await startTestPublisher(h.servers, 'sse-test'));
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await db?.close();
  await closePublisher?.();
  await h?.close();
});

async function newTask(as: string): Promise<string> {
  const res = await h.api('POST', '/v1/tasks', { as, json: { type: 'diagnostic', params: {} } });
  expect(res.status).toBe(202);
  return String(res.body.id);
}

/** Opens the stream the way EventSource does: the key in the query string. */
async function open(id: string, as: string): Promise<{ res: Response; reader: SseReader }> {
  const res = await fetch(`${h.gateway.url}/v1/tasks/${id}/events?access_token=${keyOf(as)}`, { headers: { accept: 'text/event-stream' } });
  return { res, reader: new SseReader(res) };
}

const event = (taskId: string, e: Record<string, unknown>): TaskEventInput => ({ taskId, type: 'diagnostic', ...e }) as TaskEventInput;

test('a snapshot, then an update per change (status derived from the event), then end', async () => {
  const id = await newTask('alice');
  const other = await newTask('alice');
  const { res, reader } = await open(id, 'alice');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  // A hijacked reply still carries the security headers.
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  const snapshot = await reader.next();
  expect(snapshot).toEqual({ event: 'snapshot', data: expect.objectContaining({ id, status: 'queued', owner: 'alice' }) });

  const run = { runId: 'run-1', attempt: 1 };
  await publishEvent(publisher, event(other, { kind: 'started', ...run, seq: 0, workerId: 'w' }));
  await publishEvent(publisher, event(id, { kind: 'started', ...run, seq: 0, workerId: 'w' }));
  await publishEvent(publisher, event(id, { kind: 'heartbeat', runId: 'run-1', seq: 1 }));
  await publishEvent(publisher, event(id, { kind: 'progress', runId: 'run-1', seq: 2, progress: 50, logs: [{ at: new Date().toISOString(), level: 'info', message: 'half way' }] }));
  await publishEvent(publisher, event(id, { kind: 'failed', runId: 'run-1', seq: 3, error: { code: 'boom', message: 'went wrong' }, final: false }));
  await publishEvent(publisher, event(id, { kind: 'started', runId: 'run-2', attempt: 2, seq: 0, workerId: 'w' }));
  await publishEvent(publisher, event(id, { kind: 'succeeded', runId: 'run-2', seq: 1, artifacts: [] }));

  const updates = [];
  for (let i = 0; i < 5; i++) updates.push(await reader.next());
  expect(updates.map((u) => u?.event)).toEqual(['update', 'update', 'update', 'update', 'update']);
  expect(updates.map((u) => [u?.data.kind, u?.data.status])).toEqual([
    ['started', 'running'],
    ['progress', 'running'],
    ['failed', 'retrying'],
    ['started', 'running'],
    ['succeeded', 'succeeded'],
  ]);
  expect(updates[0]?.data.attempt).toBe(1);
  expect(updates[1]?.data).toMatchObject({ progress: 50, logs: [expect.objectContaining({ message: 'half way' })] });
  expect(updates[3]?.data.attempt).toBe(2);
  expect(await reader.next()).toEqual({ event: 'end', data: { status: 'succeeded' } });
  expect(await reader.next()).toBeUndefined();
});

test('a cancel request of a queued task reads as cancelled', async () => {
  const id = await newTask('bob');
  const { reader } = await open(id, 'bob');
  await reader.next();
  expect((await h.api('POST', `/v1/tasks/${id}/cancel`, { as: 'bob' })).status).toBe(202);
  expect(await reader.next()).toMatchObject({ event: 'update', data: { kind: 'cancel-requested', status: 'cancelled' } });
  expect(await reader.next()).toMatchObject({ event: 'end', data: { status: 'cancelled' } });
});

test('the stream needs a valid key and the owner (or an admin)', async () => {
  const id = await newTask('carol');
  const bad = await fetch(`${h.gateway.url}/v1/tasks/${id}/events?access_token=wrong-key-123`);
  expect(bad.status).toBe(401);
  expect((await bad.json()).error.code).toBe('unauthorized');
  const theirs = await fetch(`${h.gateway.url}/v1/tasks/${id}/events`, { headers: { authorization: `Bearer ${keyOf('dave')}` } });
  expect(theirs.status).toBe(404);
  const admin = await open(id, 'admin');
  expect(admin.res.status).toBe(200);
  expect((await admin.reader.next())?.event).toBe('snapshot');
  await admin.reader.cancel();
});

test('a closed client is unsubscribed', async () => {
  const id = await newTask('erin');
  const { reader } = await open(id, 'erin');
  await reader.next();
  const metrics = async (): Promise<string> => (await fetch(`${h.gateway.url}/metrics`)).text();
  expect(await metrics()).toMatch(/taskyard_sse_clients [1-9]/);
  await reader.cancel();
  const { waitFor } = await import('@taskyard/testing');
  await waitFor('the stream to close', async () => /taskyard_sse_clients 0/.test(await metrics()));
});

test('a stream that missed events (published before it subscribed, not yet written) catches up with the stored task', async () => {
  const id = await newTask('ivan');
  const run = { runId: 'run-late', attempt: 1 };
  await publishEvent(publisher, event(id, { kind: 'started', ...run, seq: 1, workerId: 'w' }));
  await publishEvent(publisher, event(id, { kind: 'succeeded', runId: 'run-late', seq: 2, artifacts: [] }));
  // No status service runs here: the stored task is still queued, and the stream never sees those events.
  const { reader } = await open(id, 'ivan');
  expect(await reader.next()).toEqual({ event: 'snapshot', data: expect.objectContaining({ id, status: 'queued' }) });
  // Now written, as the status service would (later than the stream's read): the stream reads it again.
  await db.collection('tasks').updateOne({ _id: id as never }, { $set: { status: 'succeeded', attempt: 1, progress: 100, finishedAt: new Date() } });
  const seen = [await reader.next(), await reader.next()];
  expect(seen.map((u) => [u?.event, u?.data.status])).toEqual([
    ['update', 'succeeded'],
    ['end', 'succeeded'],
  ]);
  expect(seen[0]?.data).toMatchObject({ kind: 'stored', attempt: 1, progress: 100 });
});

test('the broker routes to a gateway only the events of the tasks it streams', async () => {
  const { hub } = h.gateway.deps;
  const streamed = await newTask('grace');
  const unstreamed = await newTask('grace');
  const received = hub.received;
  const { reader } = await open(streamed, 'grace');
  await reader.next();
  expect(hub.boundTasks).toBe(1);
  const run = { runId: 'run-r', attempt: 1, seq: 0, workerId: 'w' };
  // Published first: had it been routed here, it would arrive before the streamed task's event.
  await publishEvent(publisher, event(unstreamed, { kind: 'started', ...run }));
  await publishEvent(publisher, event(streamed, { kind: 'started', ...run }));
  expect(await reader.next()).toMatchObject({ event: 'update', data: { status: 'running' } });
  expect(hub.received - received).toBe(1);
  await reader.cancel();
  await waitFor('the binding to go', () => hub.boundTasks === 0);
  // Unbound: its next events are not routed here either (a task streamed afterwards is the barrier).
  const later = await newTask('grace');
  const next = await open(later, 'grace');
  await next.reader.next();
  await publishEvent(publisher, event(streamed, { kind: 'succeeded', runId: 'run-r', seq: 1, artifacts: [] }));
  await publishEvent(publisher, event(later, { kind: 'started', ...run }));
  expect(await next.reader.next()).toMatchObject({ event: 'update', data: { status: 'running' } });
  expect(hub.received - received).toBe(2);
  await next.reader.cancel();
});

test('a client gone while the stream still reads its task leaves no subscription, ping or open-stream count behind', async () => {
  const id = await newTask('frank');
  const { hub, queries } = h.gateway.deps;
  const serverSockets: Socket[] = [];
  const onConnection = (s: Socket): void => void serverSockets.push(s);
  h.gateway.app.server.on('connection', onConnection);
  const full = queries.full.bind(queries);
  let reading = 0;
  // Hold each read until the clients' connections are closed on the server side: the disconnect lands
  // exactly while the route awaits its first read.
  queries.full = async (...args) => {
    reading += 1;
    const record = await full(...args);
    await waitFor('the clients to be gone', () => serverSockets.every((s) => s.destroyed));
    await new Promise((r) => setImmediate(r));
    return record;
  };
  try {
    const port = Number(new URL(h.gateway.url).port);
    const clients = Array.from({ length: 5 }, () => connect(port, '127.0.0.1'));
    for (const c of clients) c.write(`GET /v1/tasks/${id}/events?access_token=${keyOf('frank')} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await waitFor('every stream to read its task', () => reading === clients.length);
    for (const c of clients) c.destroy();
    await waitFor('the subscriptions to go', () => hub.subscriberCount === 0, { timeoutMs: 3000 });
    expect(await h.gateway.deps.metrics.sseClients.get()).toMatchObject({ values: [{ value: 0 }] });
  } finally {
    queries.full = full;
    h.gateway.app.server.off('connection', onConnection);
  }
});
