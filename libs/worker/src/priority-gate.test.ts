import { PriorityGate } from './priority-gate';

describe('PriorityGate', () => {
  it('gives a freed slot to a waiting high task before normal and low ones that waited longer', async () => {
    const gate = new PriorityGate(1);
    const order: string[] = [];
    expect(await gate.acquire('normal')).toBe(true);
    const low = gate.acquire('low').then(() => order.push('low'));
    const normal = gate.acquire('normal').then(() => order.push('normal'));
    const high = gate.acquire('high').then(() => order.push('high'));
    gate.release();
    await high;
    gate.release();
    await normal;
    gate.release();
    await low;
    expect(order).toEqual(['high', 'normal', 'low']);
  });

  it('does not let a new normal task pass a waiting high one', async () => {
    const gate = new PriorityGate(1);
    await gate.acquire('normal');
    const high = gate.acquire('high');
    gate.release();
    expect(await high).toBe(true);
    expect(gate.inUse).toBe(1);
  });

  it('turns away every waiting task when closed, and keeps running ones counted', async () => {
    const gate = new PriorityGate(2);
    await gate.acquire('normal');
    await gate.acquire('normal');
    const waiting = [gate.acquire('high'), gate.acquire('low')];
    expect(gate.turnAwayWaiting()).toBe(2);
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect(gate.inUse).toBe(2);
  });
});
