import { ClassGrid } from './class-grid';
import { WeekAxis } from './week-axis';

const cls = { _id: 'c1', schoolId: 's1', name: '3A', yearGroup: 3 };
const pupil = (id: string, familyName: string) => ({ _id: id, schoolId: 's1', classId: 'c1', givenName: 'X', familyName });

test('the week axis runs Monday to Monday and places a mid-week date in its week', () => {
  const axis = new WeekAxis('2024-09-04', '2024-09-23');
  expect(axis.weeks).toEqual(['2024-09-02', '2024-09-09', '2024-09-16', '2024-09-23']);
  expect(axis.columnOf('2024-09-11')).toBe(1);
  expect(axis.columnOf('2024-10-01')).toBeUndefined();
});

test('averages skip weeks a pupil missed; the class average weighs every test the same', () => {
  const grid = new ClassGrid(cls, 3);
  grid.add(pupil('p1', 'Brown'), 'p1', 0, 10, 20); // 50%
  grid.add(pupil('p1', 'Brown'), 'p1', 2, 20, 20); // 100%
  grid.add(pupil('p2', 'Adams'), 'p2', 0, 15, 20); // 75%
  expect(grid.sortedRows().map((r) => r.pupilId)).toEqual(['p2', 'p1']);
  expect(ClassGrid.rowStats(grid.sortedRows()[1])).toEqual({ average: 75, tests: 2 });
  expect(grid.columnAverage(0)).toBe(62.5);
  expect(grid.columnAverage(1)).toBeUndefined();
  expect(grid.activeColumns()).toEqual([0, 2]);
  expect(grid.summary()).toEqual({ pupils: 2, tests: 3, average: 75, lowest: 75, highest: 75 });
});
