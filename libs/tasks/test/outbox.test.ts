import mongoose, { type Connection } from 'mongoose';
import { testServers, waitFor, type TestServers } from '@taskyard/testing';
import { Outbox, dueOutboxEntries, outboxTaskIds, taskModels, type OutboxRecord, type TaskModels } from '../src';

let servers: TestServers;
let conn: Connection;
let models: TaskModels;

beforeAll(async () => {
  servers = await testServers('outbox');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  models = taskModels(conn);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});
beforeEach(async () => {
  await models.Outbox.deleteMany({});
});

const entries = (): Promise<OutboxRecord[]> => models.Outbox.find({}).lean<OutboxRecord[]>();

test('submits that ask while an entry is being written share the next one (a group commit)', async () => {
  const outbox = new Outbox(models.Outbox, 30_000);
  const ids = Array.from({ length: 20 }, (_, i) => `task-${i}`);
  const before = Date.now();
  const tickets = await Promise.all(ids.map((id) => outbox.enter([id])));
  // The first asked alone; the other 19 waited for its write and went in one entry together.
  const stored = await entries();
  expect(stored.map((e) => outboxTaskIds(e).length).sort((a, b) => a - b)).toEqual([1, 19]);
  expect(stored.flatMap(outboxTaskIds).sort()).toEqual([...ids].sort());
  for (const e of stored) expect(e.relayAfter.getTime() - e.createdAt.getTime()).toBe(30_000);
  // A submit must insert its task well before a relay may take the entry for a taskless one.
  for (const t of tickets) expect(t.insertBy).toBeGreaterThanOrEqual(before + 10_000);
  expect(await dueOutboxEntries(models.Outbox, new Date(), 10, 5000)).toEqual([]);

  // The shared entry stays while any of its tasks is unsettled, and goes with the last.
  await Promise.all(ids.slice(0, 19).map((id, i) => tickets[i].settle([id])));
  expect((await entries()).map((e) => outboxTaskIds(e).length)).toEqual([19]);
  await tickets[19].settle(['task-19']);
  expect(await entries()).toEqual([]);
});

test('a task the broker did not confirm gets an entry of its own, due at once', async () => {
  const outbox = new Outbox(models.Outbox, 30_000);
  const ticket = await outbox.enter(['a', 'b']);
  await outbox.keepDue(['b']);
  await ticket.settle(['a', 'b']);
  const due = await dueOutboxEntries(models.Outbox, new Date(), 10, 5000);
  expect(due.map(outboxTaskIds)).toEqual([['b']]);
});

test('ids taken ahead: each is in a stored entry when handed out, many submits share an entry, and the entry goes once every id is settled', async () => {
  const outbox = new Outbox(models.Outbox, 30_000);
  const taken = await Promise.all(Array.from({ length: 40 }, () => outbox.take()));
  const stored = await entries();
  const recorded = new Set(stored.flatMap(outboxTaskIds));
  for (const t of taken) expect(recorded.has(t.id)).toBe(true);
  expect(new Set(taken.map((t) => t.id)).size).toBe(40);
  // Written ahead for the next submits: far fewer entries than submits.
  expect(stored.length).toBeLessThanOrEqual(3);
  for (const t of taken) expect(t.ticket.insertBy).toBeGreaterThan(Date.now() + 5_000);

  for (const t of taken) t.ticket.release([t.id]);
  // The ids never taken are settled when the outbox retires its reserve (a replacement, its time, or close).
  await outbox.close();
  expect(await entries()).toEqual([]);
});

test('ids are handed out only early in their entry\'s life; an idle reserve is retired and its entry deleted', async () => {
  // Grace 600 ms: a submit must insert within 200 ms of the entry's write, so ids go out for its first 100 ms.
  const outbox = new Outbox(models.Outbox, 600);
  const first = await outbox.take();
  await new Promise((r) => setTimeout(r, 150));
  const second = await outbox.take();
  expect(second.ticket).not.toBe(first.ticket);
  const firstEntry = (await entries()).find((e) => outboxTaskIds(e).includes(first.id))!;
  expect(outboxTaskIds(firstEntry)).not.toContain(second.id);
  // The first entry waits only for the id it handed out.
  await first.ticket.settle([first.id]);
  expect((await entries()).some((e) => e._id === firstEntry._id)).toBe(false);
  await second.ticket.settle([second.id]);
  await new Promise((r) => setTimeout(r, 150));
  await outbox.close();
  expect(await entries()).toEqual([]);
});

test('keepDue tells the listeners once its entries, due now, are stored (a relay of the process stops waiting)', async () => {
  const outbox = new Outbox(models.Outbox, 30_000);
  const seen: string[][] = [];
  outbox.onDue(() => void entries().then((stored) => seen.push(stored.map((e) => e._id).sort())));
  outbox.onDue(() => seen.push(['second listener']));
  await outbox.keepDue(['task-a', 'task-b']);
  await waitFor('the first listener to read the outbox', async () => seen.length === 2);
  expect(seen).toContainEqual(['second listener']);
  expect(seen).toContainEqual(['task-a', 'task-b']);
  expect((await dueOutboxEntries(models.Outbox, new Date(), 10, 5000)).map((e) => e._id).sort()).toEqual(['task-a', 'task-b']);
});
