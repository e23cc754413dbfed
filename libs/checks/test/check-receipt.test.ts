import mongoose, { type Connection } from 'mongoose';
import { completedCheck, packCheck } from '@taskyard/school-data';
import { explainFind, testServers, type TestServers } from '@taskyard/testing';
import type { SubmittedCheck } from '@taskyard/contracts';
import { checkModels, ensureCheckIndexes, Receipt, receiveCheck, receivedCheckId } from '../src';

let servers: TestServers;
let conn: Connection;

beforeAll(async () => {
  servers = await testServers('check-receipt');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await ensureCheckIndexes(conn);
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const message = (code: string): SubmittedCheck => {
  const check = { _id: code, schoolId: 'sch0001', pupilId: 'sch0001-p00001' };
  return { version: 2, schoolUUID: 'sch0001', checkCode: code, archive: packCheck(completedCheck(check)) };
};

test('a check is stored as it came, keyed by school and check code', async () => {
  const msg = message('race-0');
  const out = await receiveCheck(checkModels(conn), msg, 'task-a');
  expect(out).toEqual({ receipt: Receipt.Received, id: 'sch0001:race-0' });
  const stored = await checkModels(conn).ReceivedCheck.findOne({ _id: receivedCheckId('sch0001', 'race-0') }).lean();
  expect(stored).toMatchObject({ schoolUUID: 'sch0001', checkCode: 'race-0', version: 2, checkData: msg.archive, receivedBy: 'task-a' });
});

test('30 receipts of one check racing: exactly one is received, the rest are duplicates of it', async () => {
  const msg = message('race-1');
  const outs = await Promise.all(Array.from({ length: 30 }, (_, i) => receiveCheck(checkModels(conn), msg, `task-${i}`)));
  const received = outs.filter((o) => o.receipt === Receipt.Received);
  expect(received).toHaveLength(1);
  const winner = (await checkModels(conn).ReceivedCheck.findOne({ _id: 'sch0001:race-1' }).lean())!.receivedBy;
  expect(new Set(outs.filter((o) => o.receipt === Receipt.Duplicate).map((o) => o.duplicateOf))).toEqual(new Set([winner]));
});

test('the task that stored a check is not a duplicate of itself on its next attempt', async () => {
  const msg = message('rerun');
  await receiveCheck(checkModels(conn), msg, 'task-r');
  expect((await receiveCheck(checkModels(conn), msg, 'task-r')).receipt).toBe(Receipt.Received);
  expect((await receiveCheck(checkModels(conn), msg, 'task-other')).receipt).toBe(Receipt.Duplicate);
});

test('past the one-day window the same check is received again (once, of 10 racing), replacing the stored one', async () => {
  const msg = message('old');
  const dayAgo = new Date(Date.now() - 24 * 3600_000 - 1000);
  await receiveCheck(checkModels(conn), msg, 'task-yesterday', { now: dayAgo });
  const outs = await Promise.all(Array.from({ length: 10 }, (_, i) => receiveCheck(checkModels(conn), msg, `task-today-${i}`)));
  expect(outs.filter((o) => o.receipt === Receipt.Received)).toHaveLength(1);
  const stored = await checkModels(conn).ReceivedCheck.findOne({ _id: 'sch0001:old' }).lean();
  expect(stored!.receivedBy).toMatch(/^task-today-/);
  expect(stored!.dateReceived.getTime()).toBeGreaterThan(dayAgo.getTime());
});

test('received checks and teachers\' notices are read by index', async () => {
  await conn.collection('teacher_notifications').insertOne({ _id: 'x', schoolUUID: 'sch0001', checkCode: 'c', code: 'k', message: 'm', createdAt: new Date() } as never);
  for (const [collection, filter] of [['received_checks', { _id: 'sch0001:race-0' }], ['teacher_notifications', { schoolUUID: 'sch0001' }]] as const) {
    const plan = await explainFind(conn, collection, filter);
    expect({ collection, indexed: plan.indexed }).toEqual({ collection, indexed: true });
  }
});
