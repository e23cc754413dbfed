import mongoose, { type Connection } from 'mongoose';
import { createLogger } from '@taskyard/logging';
import { ALL_SCOPE, TOTALS_BLOCK, ownerScope, periodBlockKey, periodOf, statsId, taskStatsModel, type FoldObservation, type TaskStatsRecord, type TypeCounts } from '@taskyard/tasks';
import { testServers, type TestServers } from '@taskyard/testing';
import { TaskStatsRecorder } from '../src/task-stats-recorder';

let servers: TestServers;
let conn: Connection;

beforeAll(async () => {
  servers = await testServers('task-stats-recorder');
  conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await servers?.cleanup();
});

const obs = (counts: TypeCounts, statusChange?: FoldObservation['statusChange']): FoldObservation => ({ counts, waitsMs: [], runs: [], retries: 0, ...(statusChange ? { statusChange } : {}) });

test("one flush of folds counted in several minutes, hours and owners writes each period's and scope's sums", async () => {
  const model = taskStatsModel(conn);
  const recorder = new TaskStatsRecorder(model, createLogger('test'), { writer: 'w1' });
  // 10:59 and 11:00 of one day: two minutes in two hours.
  const hourStart = Date.UTC(2026, 0, 5, 11);
  const [late, early] = [hourStart - 30_000, hourStart + 10_000];
  recorder.record('diagnostic', 'ann', obs({ started: 1, wait: { '2': 1 } }, { from: 'queued', to: 'running' }), late);
  recorder.record('diagnostic', 'ann', obs({ succeeded: 1, run: { '3': 1 } }, { from: 'running', to: 'succeeded' }), late + 1_000);
  recorder.record('diagnostic', 'bob', obs({ failed: 1, reasons: { boom: 1 }, sample: { boom: 'first' } }, { from: 'running', to: 'failed' }), late + 2_000);
  recorder.record('report', 'bob', obs({ started: 1 }), early);
  recorder.record('diagnostic', 'bob', obs({ failed: 1, reasons: { boom: 1 }, sample: { boom: 'second' } }), early + 1_000);
  recorder.record('diagnostic', 'ann', obs({}), early + 2_000);
  await recorder.flush();

  const doc = async (g: 'm' | 'h', ms: number, scope: string): Promise<TaskStatsRecord | null> => {
    const p = periodOf(g, ms);
    const d = (await model.findById(statsId(g, p, scope, 'w1')).lean()) as TaskStatsRecord | null;
    if (d) expect({ b: d.b, p: d.p }).toEqual({ b: periodBlockKey(g, p, scope), p });
    return d;
  };
  expect((await doc('m', late, ALL_SCOPE))?.t).toEqual({ diagnostic: { started: 1, succeeded: 1, failed: 1, wait: { '2': 1 }, run: { '3': 1 }, reasons: { boom: 1 }, sample: { boom: 'first' } } });
  expect((await doc('m', late, ownerScope('ann')))?.t).toEqual({ diagnostic: { started: 1, succeeded: 1, wait: { '2': 1 }, run: { '3': 1 } } });
  expect((await doc('m', late, ownerScope('bob')))?.t).toEqual({ diagnostic: { failed: 1, reasons: { boom: 1 }, sample: { boom: 'first' } } });
  expect((await doc('m', early, ALL_SCOPE))?.t).toEqual({ report: { started: 1 }, diagnostic: { failed: 1, reasons: { boom: 1 }, sample: { boom: 'second' } } });
  // A fold that counted nothing makes no document (ann did nothing else at 11:00).
  expect(await doc('m', early, ownerScope('ann'))).toBeNull();
  // Each minute counts in its own hour, whenever the flush runs.
  expect((await doc('h', late, ownerScope('bob')))?.t).toEqual({ diagnostic: { failed: 1, reasons: { boom: 1 }, sample: { boom: 'first' } } });
  expect((await doc('h', early, ownerScope('bob')))?.t).toEqual({ report: { started: 1 }, diagnostic: { failed: 1, reasons: { boom: 1 }, sample: { boom: 'second' } } });
  expect((await doc('h', early, ALL_SCOPE))?.t).toEqual((await doc('m', early, ALL_SCOPE))?.t);
  // 5 minute and 5 hour documents, and this writer's totals.
  expect(await model.countDocuments()).toBe(11);
  // The totals are this writer's additions (queued is not counted: the queues' depth); bob's start was another's.
  expect((await model.collection.findOne({ _id: `${TOTALS_BLOCK}|w1` } as never))?.c).toEqual({ diagnostic: { running: -1, succeeded: 1, failed: 1 } });

  // A second flush adds to the same documents.
  recorder.record('diagnostic', 'ann', obs({ started: 2 }), late);
  await recorder.flush();
  expect((await doc('h', late, ALL_SCOPE))?.t.diagnostic).toMatchObject({ started: 3, succeeded: 1 });
});
