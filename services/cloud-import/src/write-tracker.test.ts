import { WriteTracker } from './write-tracker';

test('settled waits for every write under way, failed ones too, and for writes added meanwhile', async () => {
  const tracker = new WriteTracker();
  const done: string[] = [];
  const later = (name: string, fail = false): { promise: Promise<void>; finish: () => void } => {
    let finish!: () => void;
    const promise = new Promise<void>((resolve, reject) => (finish = () => (done.push(name), fail ? reject(new Error(name)) : resolve())));
    promise.catch(() => undefined);
    return { promise, finish };
  };
  const a = later('a');
  const b = later('b', true);
  const c = later('c');
  tracker.add(a.promise);
  tracker.add(b.promise);
  let settled = false;
  const waiting = tracker.settled().then(() => (settled = true));
  a.finish();
  await a.promise;
  tracker.add(c.promise);
  b.finish();
  await b.promise.catch(() => undefined);
  // Every promise job runs before an immediate: a wait that ended with a and b would have ended by now.
  await new Promise((resolve) => setImmediate(resolve));
  expect(settled).toBe(false);
  c.finish();
  await waiting;
  expect(done).toEqual(['a', 'b', 'c']);
  await tracker.settled();
});
