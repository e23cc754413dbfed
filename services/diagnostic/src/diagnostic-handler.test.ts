import { burnCpu, diagnosticResult } from './diagnostic-handler';

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

test("the result lists `parts` items, each the job's own sleep, for a workflow's fan-out; none unless asked", () => {
  expect(diagnosticResult(2, 300, 3)).toEqual({ attempt: 2, parts: [300, 300, 300] });
  expect(diagnosticResult(1, 0, 0)).toEqual({ attempt: 1, parts: [] });
  expect(diagnosticResult(1, 300, undefined)).toEqual({ attempt: 1 });
});
