import { publishEvent } from '@taskyard/messaging';
import { ObjectStore, uploadKey } from '@taskyard/storage';
import { waitFor } from '@taskyard/testing';
import { startHarness, type Harness } from './lifecycle-harness';

// No worker runs here: these tasks end without ever starting, so only the status service can clean up.
let h: Harness;
let store: ObjectStore;

beforeAll(async () => {
  h = await startHarness('upload-cleanup', {});
  store = new ObjectStore(h.servers.s3);
});
afterAll(async () => {
  store?.close();
  await h?.close();
});

/** A queued task with its zip in S3, as the gateway leaves an upload submission. */
async function queuedWithUpload(): Promise<{ id: string; key: string }> {
  const id = await h.submit('diagnostic', {});
  const key = uploadKey(id, 'pupils.zip');
  await store.put(key, Buffer.from('PK zip bytes'), 'application/zip');
  await h.models.Task.collection.updateOne({ _id: id } as never, { $set: { 'params.uploadKey': key } });
  return { id, key };
}

test('the upload of a task cancelled while queued is deleted', async () => {
  const { id, key } = await queuedWithUpload();
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'diagnostic', requestedBy: 'owner-1' });
  await h.waitForStatus(id, ['cancelled']);
  await waitFor('the upload to be deleted', async () => (await store.size(key)) === undefined, { timeoutMs: 5000 });
});

test('the upload of a task that expired in its queue is deleted', async () => {
  const { id, key } = await queuedWithUpload();
  await publishEvent(h.publisher, { kind: 'expired-in-queue', taskId: id, type: 'diagnostic' });
  await h.waitForStatus(id, ['failed']);
  await waitFor('the upload to be deleted', async () => (await store.size(key)) === undefined, { timeoutMs: 5000 });
});

test("a key outside the task's own uploads/ is never deleted, whatever its params say", async () => {
  const id = await h.submit('diagnostic', {});
  const foreign = 'artifacts/diagnostic/someone-else/report.csv';
  await store.put(foreign, Buffer.from('not yours'), 'text/csv');
  // A slot to observe: it is released after the terminal effects, so once it is gone they have all run.
  const slot = `owner-1:diagnostic:foreign-${id}`;
  await h.models.Slot.collection.insertOne({ _id: slot, taskId: id, takenAt: new Date() } as never);
  await h.models.Task.collection.updateOne({ _id: id } as never, { $set: { 'params.uploadKey': foreign, slotId: slot } });
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'diagnostic', requestedBy: 'owner-1' });
  await waitFor('the terminal effects to run', async () => (await h.models.Slot.countDocuments({ _id: slot })) === 0, { timeoutMs: 5000 });
  expect(await store.size(foreign)).toBe('not yours'.length);
});
