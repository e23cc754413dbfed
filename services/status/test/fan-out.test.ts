import { defineWorker } from '@taskyard/worker';
import { startHarness, type Harness } from './lifecycle-harness';

let h: Harness;

/** A parent logs before and after fanning out two children; each child logs one line and succeeds. */
const fanningWorker = defineWorker({
  type: 'diagnostic',
  async handler(ctx) {
    if (ctx.task.parentId) {
      ctx.log(`child ${ctx.task.id} ran`);
      return;
    }
    ctx.log('splitting the work');
    const ids = await ctx.fanOut([
      { title: 'part 1', params: {} },
      { title: 'part 2', params: {} },
    ]);
    ctx.log(`fanned out ${ids.length} child task(s)`);
    return { result: { fannedOut: ids.length } };
  },
});

beforeAll(async () => {
  h = await startHarness('fan-out', { timeoutMs: 5000, maxAttempts: 1 });
  await h.startWorker(fanningWorker);
});
afterAll(async () => h?.close());

test("a fan-out parent keeps its whole log, lines written after fanOut() included", async () => {
  const id = await h.submit('diagnostic', {});
  const parent = await h.waitForStatus(id, ['succeeded', 'failed']);
  expect(parent.status).toBe('succeeded');
  expect(parent.children).toMatchObject({ total: 2, finished: expect.arrayContaining([`${id}.1`, `${id}.2`]) });
  expect(parent.logs.map((l) => l.message)).toEqual(['splitting the work', 'fanned out 2 child task(s)']);
  const child = await h.task(`${id}.1`);
  expect(child.logs.map((l) => l.message)).toEqual([`child ${id}.1 ran`]);
});
