import mongoose, { type Connection } from 'mongoose';
import { occurrenceId, type ScheduleView } from '@taskyard/contracts';
import { OccurrenceHistory, cronTimes, minuteNode, scheduleModels } from '@taskyard/schedules';
import { startHarness, type Harness } from './gateway-harness';

let h: Harness;
let db: Connection;
beforeAll(async () => {
  h = await startHarness('gw-schedules');
  db = await mongoose.createConnection(h.servers.mongoUrl).asPromise();
});
afterAll(async () => {
  await db?.close();
  await h?.close();
});

const everyMinute = { cron: '*/1 * * * *', timezone: 'Europe/London', task: { type: 'diagnostic', params: { sleepMs: 5 }, title: 'Nightly check' } };
const create = (as: string, json: unknown) => h.api<ScheduleView & { error?: { code: string; message: string } }>('POST', '/v1/schedules', { as, json });

test('create answers 201 with the next 5 fire times in the schedule zone, and the schedule reads back', async () => {
  const res = await create('alice', everyMinute);
  expect(res.status).toBe(201);
  expect(res.headers.get('location')).toBe(`/v1/schedules/${res.body.id}`);
  expect(res.body).toMatchObject({ owner: 'alice', cron: '*/1 * * * *', timezone: 'Europe/London', paused: false, catchUp: 'once' });
  expect(res.body.template).toEqual({ kind: 'task', type: 'diagnostic', params: { sleepMs: 5 }, title: 'Nightly check' });
  expect(res.body.nextRuns).toHaveLength(5);
  const gaps = res.body.nextRuns.slice(1).map((t, i) => Date.parse(t) - Date.parse(res.body.nextRuns[i]));
  expect(gaps).toEqual([60_000, 60_000, 60_000, 60_000]);
  const read = await h.api<ScheduleView>('GET', `/v1/schedules/${res.body.id}`, { as: 'alice' });
  expect(read.status).toBe(200);
  expect(read.body.history).toEqual([]);
});

test('bad input gets a 400 naming the problem', async () => {
  const cases: [unknown, RegExp][] = [
    [{ ...everyMinute, cron: '61 * * * *' }, /cron|61/],
    [{ ...everyMinute, timezone: 'Mars/Olympus' }, /Mars\/Olympus.*time zone/],
    [{ ...everyMinute, task: { type: 'no-such-type', params: {} } }, /unknown job type "no-such-type"/],
    [{ ...everyMinute, task: { type: 'diagnostic', params: { sleepMs: -1 } } }, /params\/sleepMs/],
    [{ ...everyMinute, task: { type: 'cloud-import', params: {} } }, /upload/],
    [{ cron: '* * * * *' }, /task/],
    [{ ...everyMinute, extra: 1 }, /extra/],
    [{ ...everyMinute, catchUp: 'all' }, /catchUp/],
  ];
  for (const [json, message] of cases) {
    const res = await create('alice', json);
    expect([res.status, res.body.error?.message]).toEqual([400, expect.stringMatching(message)]);
  }
});

test("another owner's schedule is 404 to read, change or delete; an admin sees and lists everyone's", async () => {
  const mine = (await create('bob', everyMinute)).body;
  for (const [method, json] of [['GET'], ['PATCH', { paused: true }], ['DELETE']] as const) {
    const res = await h.api(method, `/v1/schedules/${mine.id}`, { as: 'carol', json });
    expect([res.status, res.body.error?.code]).toEqual([404, 'not-found']);
  }
  const carolList = await h.api<{ items: ScheduleView[] }>('GET', '/v1/schedules', { as: 'carol' });
  expect(carolList.body.items.map((s) => s.id)).not.toContain(mine.id);
  expect((await h.api<{ items: ScheduleView[] }>('GET', '/v1/schedules', { as: 'bob' })).body.items.map((s) => s.id)).toEqual([mine.id]);
  expect((await h.api<{ items: ScheduleView[] }>('GET', '/v1/schedules?owner=bob', { as: 'admin' })).body.items.map((s) => s.id)).toEqual([mine.id]);
  expect((await h.api('GET', `/v1/schedules/${mine.id}`, { as: 'admin' })).status).toBe(200);
});

test('PATCH pauses (no next runs), resumes and changes the cron; DELETE removes it', async () => {
  const s = (await create('dave', everyMinute)).body;
  const paused = await h.api<ScheduleView>('PATCH', `/v1/schedules/${s.id}`, { as: 'dave', json: { paused: true } });
  expect([paused.status, paused.body.paused, paused.body.nextRuns]).toEqual([200, true, []]);
  const changed = await h.api<ScheduleView>('PATCH', `/v1/schedules/${s.id}`, { as: 'dave', json: { paused: false, cron: '0 9 * * 1-5', catchUp: 'skip' } });
  expect(changed.body).toMatchObject({ paused: false, cron: '0 9 * * 1-5', catchUp: 'skip' });
  expect(changed.body.nextRuns.every((t) => new Date(t).getUTCDay() >= 1 && new Date(t).getUTCDay() <= 5)).toBe(true);
  expect((await h.api('PATCH', `/v1/schedules/${s.id}`, { as: 'dave', json: { cron: 'nope' } })).status).toBe(400);
  expect((await h.api('DELETE', `/v1/schedules/${s.id}`, { as: 'dave' })).status).toBe(204);
  expect((await h.api('GET', `/v1/schedules/${s.id}`, { as: 'dave' })).status).toBe(404);
});

/** Stores occurrences as the scheduler does: the history's marks first, then the records naming their minute. */
async function record(scheduleId: string, fires: Date[], outcomeOf: (i: number) => Record<string, unknown>): Promise<void> {
  const models = scheduleModels(db);
  const history = new OccurrenceHistory(models);
  for (const fireAt of fires) await history.prepare(scheduleId, fireAt);
  await models.Occurrence.collection.insertMany(
    fires.map((fireAt, i) => ({
      _id: occurrenceId(scheduleId, fireAt),
      scheduleId,
      fireAt,
      ...outcomeOf(i),
      holder: 'test',
      at: new Date(),
      day: fireAt.toISOString().slice(0, 10),
      p: minuteNode(scheduleId, fireAt),
    })) as never[],
  );
}

test('the history lists the latest occurrences newest first, with their task or the reason they were skipped', async () => {
  const s = (await create('erin', { ...everyMinute, cron: '* * * * * *', timezone: 'UTC' })).body;
  const fires = cronTimes('* * * * * *', 'UTC').previous(25, new Date()).slice(1);
  await record(s.id, fires, (i) =>
    i % 2 ? { outcome: 'skipped', reason: 'erin already has 3 unfinished diagnostic task(s), the most allowed' } : { outcome: 'submitted', taskId: `task-${i}` },
  );
  const read = await h.api<ScheduleView>('GET', `/v1/schedules/${s.id}`, { as: 'erin' });
  expect(read.body.history).toHaveLength(20);
  expect(read.body.history[0]).toEqual({ fireAt: fires[0].toISOString(), outcome: 'submitted', taskId: 'task-0', at: expect.any(String) });
  expect(read.body.history[1]).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/unfinished/) });
  const times = read.body.history.map((o) => Date.parse(o.fireAt));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
});

test('the history pages through every recorded occurrence, newest first, however far apart (a pause of hours, other days)', async () => {
  const s = (await create('frank', { ...everyMinute, cron: '* * * * * *', timezone: 'UTC' })).body;
  const at = (msAgo: number): Date => new Date(Math.floor((Date.now() - msAgo) / 1000) * 1000);
  // 5 just now; 20 two hours ago (7,200 fire times back: past any walk over fire times); 15 three days ago.
  const fires = [
    ...Array.from({ length: 5 }, (_, i) => at(2_000 + i * 1000)),
    ...Array.from({ length: 20 }, (_, i) => at(2 * 3_600_000 + i * 1000)),
    ...Array.from({ length: 15 }, (_, i) => at(3 * 86_400_000 + i * 7_000)),
  ];
  await record(s.id, fires, (i) => ({ outcome: 'submitted', taskId: `t-${i}` }));
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await h.api<{ items: { fireAt: string; taskId: string }[]; nextCursor?: string }>(
      'GET',
      `/v1/schedules/${s.id}/history?limit=12${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { as: 'frank' },
    );
    expect(page.status).toBe(200);
    seen.push(...page.body.items.map((o) => o.fireAt));
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  expect(pages).toBe(4);
  expect(seen).toEqual(fires.map((f) => f.toISOString()).sort().reverse());
  expect((await h.api('GET', `/v1/schedules/${s.id}/history`, { as: 'carol' })).status).toBe(404);
  const bad = await h.api<{ error: { message: string } }>('GET', `/v1/schedules/${s.id}/history?cursor=yesterday`, { as: 'frank' });
  expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringMatching(/cursor/)]);
});
