import { defineWorker } from '@taskyard/worker';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

// On a fresh broker (a first `docker compose up`, a test's fresh vhost) the services start in any order: a
// worker may run a task and publish its end before the status service has ever declared its partitions.
// Those events must wait for it (every service declares the first partition), not vanish and leave the
// task queued for ever (submit-crash's CI timeouts, issue 19).
let h: Harness;
const ran: string[] = [];

beforeAll(async () => {
  h = await startHarness('status-late', {}, { statusReplicas: 0 });
});
afterAll(async () => h?.close());

test('a task run before the status service ever started is folded to its end once it starts', async () => {
  const worker = await h.startWorker(defineWorker({ type: 'diagnostic', handler: async (ctx) => void ran.push(ctx.task.id) }));
  const id = await h.submit('diagnostic', {});
  // Run, and its end published and confirmed by the broker (the run leaves `inFlight` after that), with no status service anywhere.
  await waitFor('the job to have run and its end to be sent', () => ran.includes(id) && worker.engine.inFlight === 0);
  expect((await h.task(id)).status).toBe('queued');

  await h.startStatus();
  const done = await h.waitForStatus(id, ['succeeded']);
  expect(done.attempt).toBe(1);
});
