import { spawn } from 'node:child_process';
import { mainThreadWaitNs, OwnClock, waitNsOf } from './own-clock';

/** A clock over given readings, taken in turn: [wall ms, main thread's wait ns or undefined]; the first is the start. */
function replayed(...readings: Array<[number, number | undefined]>): OwnClock {
  const waits = readings.map((r) => r[1]);
  const walls = readings.map((r) => r[0]);
  return new OwnClock(1, () => waits.shift(), () => walls.shift()!);
}

test('the run-queue wait is the second field of a schedstat line', () => {
  expect(waitNsOf('123456 7890123 42\n')).toBe(7890123);
  expect(waitNsOf('')).toBeUndefined();
});

test('own time is wall time less what the main thread waited for a CPU since the start (not before it)', () => {
  const clock = replayed([1000, 5e9], [11_000, 11e9], [21_000, 12e9]);
  expect(clock.elapsed()).toEqual({ ownMs: 4000, wallMs: 10_000, waitedMs: 6000 });
  expect(clock.elapsed()).toEqual({ ownMs: 13_000, wallMs: 20_000, waitedMs: 7000 });
});

test('a process that waited the whole time has no own time; one gone keeps its last wait', () => {
  const clock = replayed([0, 0], [1000, 1e9], [3000, undefined]);
  expect(clock.elapsed().ownMs).toBe(0);
  expect(clock.elapsed()).toEqual({ ownMs: 2000, wallMs: 3000, waitedMs: 1000 });
});

test('where /proc does not tell, own time is wall time: a deadline still ends', () => {
  expect(mainThreadWaitNs(-1)).toBeUndefined();
  const clock = replayed([0, undefined], [5000, undefined]);
  expect(clock.elapsed()).toEqual({ ownMs: 5000, wallMs: 5000, waitedMs: 0 });
});

test("a live process's main thread wait is read from /proc; once it is gone, nothing is", async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  expect(mainThreadWaitNs(child.pid!)).toEqual(expect.any(Number));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(mainThreadWaitNs(child.pid!)).toBeUndefined();
});
