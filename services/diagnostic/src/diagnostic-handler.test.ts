import { burnCpu } from './diagnostic-handler';

describe('burnCpu', () => {
  it('spends about the CPU time asked for', async () => {
    const before = process.cpuUsage();
    await burnCpu(60, new AbortController().signal);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeGreaterThanOrEqual(55);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(burnCpu(10_000, controller.signal)).rejects.toThrow('stop');
  });
});
