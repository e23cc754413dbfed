import { ConfirmDeadlines } from './confirm-deadlines';

// Jest's clock (timers and Date.now together): the order of the deadlines is what is checked, not the
// machine's timers, which a loaded CI fires tens of milliseconds late (c expired with b at load 20-28).
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ConfirmDeadlines', () => {
  it('expires each publish not settled in time, in order, and none that was settled', () => {
    const deadlines = new ConfirmDeadlines(60);
    const expired: string[] = [];
    const a = deadlines.add(() => expired.push('a'));
    deadlines.add(() => expired.push('b'));
    jest.advanceTimersByTime(30);
    deadlines.add(() => expired.push('c'));
    deadlines.settle(a);
    jest.advanceTimersByTime(30);
    // b was due at 60 ms; c, added 30 ms later, not before 90 ms.
    expect(expired).toEqual(['b']);
    jest.advanceTimersByTime(29);
    expect(expired).toEqual(['b']);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['b', 'c']);
    expect(deadlines.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps no timer once nothing waits, and arms a new one for the next publish', () => {
    const deadlines = new ConfirmDeadlines(20);
    const expired: number[] = [];
    deadlines.settle(deadlines.add(() => expired.push(1)));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(40);
    expect(expired).toEqual([]);
    deadlines.add(() => expired.push(2));
    jest.advanceTimersByTime(19);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual([2]);
  });
});
