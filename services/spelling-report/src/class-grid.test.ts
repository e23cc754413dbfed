import { ClassGrid, distinctPupils } from './class-grid';
import { WeekAxis } from './week-axis';

const cls = { _id: 'c1', schoolId: 's1', name: '3A', yearGroup: 3 };
const pupil = (id: string, familyName: string) => ({ _id: id, schoolId: 's1', classId: 'c1', givenName: 'X', familyName });
const cells = (correct: number[], total: number[]): [Uint8Array, Uint8Array] => [Uint8Array.from(correct), Uint8Array.from(total)];

test('the week axis runs Monday to Monday and places a mid-week date in its week', () => {
  const axis = new WeekAxis('2024-09-04', '2024-09-23');
  expect(axis.weeks).toEqual(['2024-09-02', '2024-09-09', '2024-09-16', '2024-09-23']);
  expect(axis.columnOf('2024-09-11')).toBe(1);
  expect(axis.columnOf('2024-10-01')).toBeUndefined();
  expect(axis.describe('2024-09-04', '2024-09-23')).toBe('every week with a day from 2024-09-04 to 2024-09-23: weeks commencing 2024-09-02 to 2024-09-23; a test counts in the week it is filed under');
});

test('averages skip weeks a pupil missed; the class average weighs every test the same; a pupil with no test is listed', () => {
  const grid = new ClassGrid(cls, 3);
  grid.adopt(pupil('p1', 'Brown'), ...cells([10, 0, 20], [20, 0, 20])); // 50%, -, 100%
  grid.adopt(pupil('p2', 'Adams'), ...cells([15, 0, 0], [20, 0, 0])); // 75%
  grid.enrol(pupil('p3', 'Cole'));
  grid.enrol(pupil('p1', 'Brown'));
  expect(grid.sortedRows().map((r) => r.pupilId)).toEqual(['p2', 'p1', 'p3']);
  expect(ClassGrid.rowStats(grid.sortedRows()[1])).toEqual({ average: 75, tests: 2 });
  expect(ClassGrid.rowStats(grid.sortedRows()[2])).toEqual({ average: undefined, tests: 0 });
  expect(grid.columnAverage(0)).toBe(62.5);
  expect(grid.columnAverage(1)).toBeUndefined();
  expect(grid.summary()).toEqual({ pupils: 3, tests: 3, average: 75, lowest: 75, highest: 75 });
});

test('issue 18, defect 4: a pupil listed by two classes counts once in the school total', () => {
  const a = new ClassGrid(cls, 1);
  const b = new ClassGrid({ ...cls, _id: 'c2', name: '3B' }, 1);
  a.adopt(pupil('p1', 'Brown'), ...cells([1], [2]));
  b.adopt(pupil('p1', 'Brown'), ...cells([2], [2]));
  b.enrol(pupil('p2', 'Adams'));
  expect(a.summary().pupils + b.summary().pupils).toBe(3);
  expect(distinctPupils([a, b])).toBe(2);
});
