import { activeSeries, windowTimes } from './overview-figures';

const window = {
  stepSeconds: 60,
  from: '2026-11-30T13:00:00.000Z',
  points: 3,
  series: [
    { type: 'idle', started: [0, 0, 0], succeeded: [0, 0, 0], failed: [0, 0, 0] },
    { type: 'some', started: [1, 0, 0], succeeded: [0, 1, 0], failed: [0, 0, 0] },
    { type: 'busy', started: [3, 2, 1], succeeded: [1, 1, 1], failed: [0, 1, 0] },
  ],
};

test('each point of a window has its time, one step apart', () => {
  const t0 = Date.parse('2026-11-30T13:00:00Z') / 1000;
  expect(windowTimes(window)).toEqual([t0, t0 + 60, t0 + 120]);
});

test('types with activity are charted busiest first; idle ones are only named', () => {
  const { active, idle } = activeSeries(window);
  expect(active.map((s) => [s.type, s.total])).toEqual([
    ['busy', { started: 6, succeeded: 3, failed: 1 }],
    ['some', { started: 1, succeeded: 1, failed: 0 }],
  ]);
  expect(idle).toEqual(['idle']);
});
