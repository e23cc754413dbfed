import { ConfirmDeadlines } from './confirm-deadlines';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ConfirmDeadlines', () => {
  it('expires each publish not settled in time, in order, and none that was settled', async () => {
    const deadlines = new ConfirmDeadlines(60);
    const expired: string[] = [];
    const a = deadlines.add(() => expired.push('a'));
    deadlines.add(() => expired.push('b'));
    await sleep(30);
    deadlines.add(() => expired.push('c'));
    deadlines.settle(a);
    await sleep(45);
    // b was due at 60 ms; c, added 30 ms later, not before 90 ms.
    expect(expired).toEqual(['b']);
    await sleep(40);
    expect(expired).toEqual(['b', 'c']);
    expect(deadlines.size).toBe(0);
  });

  it('keeps no timer once nothing waits, and arms a new one for the next publish', async () => {
    const deadlines = new ConfirmDeadlines(20);
    const expired: number[] = [];
    deadlines.settle(deadlines.add(() => expired.push(1)));
    await sleep(40);
    expect(expired).toEqual([]);
    deadlines.add(() => expired.push(2));
    await sleep(40);
    expect(expired).toEqual([2]);
  });
});
