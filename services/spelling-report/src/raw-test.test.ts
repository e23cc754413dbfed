import { mongo } from 'mongoose';
import { scoreOf } from '@taskyard/school-data';
import { readRawTest, type RawTest } from './raw-test';

const bytes = (doc: Record<string, unknown>): Buffer => Buffer.from(mongo.BSON.serialize(doc));
const fresh = (): RawTest => ({ classId: '', pupilId: '', week: '', correct: -1, total: -1 });
const TEST = { classId: 'sch1-Ørsted 4', pupilId: 'p-Zoë', week: '2024-09-02', results: '1101000111' };

test('a projected spelling week: its fields, and the score libs/school-data gives its results', () => {
  const into = fresh();
  expect(readRawTest(bytes(TEST), into)).toBe(true);
  expect(into).toEqual({ classId: TEST.classId, pupilId: TEST.pupilId, week: TEST.week, ...scoreOf(TEST.results) });
});

test('fields in another order, an _id and other string fields are fine; an empty results is 0 of 0', () => {
  const into = fresh();
  expect(readRawTest(bytes({ _id: 'x', results: '', week: TEST.week, testId: 't', pupilId: 'p', classId: 'c' }), into)).toBe(true);
  expect(into).toEqual({ classId: 'c', pupilId: 'p', week: TEST.week, correct: 0, total: 0 });
});

test('the reused object takes each document in turn', () => {
  const into = fresh();
  readRawTest(bytes(TEST), into);
  readRawTest(bytes({ ...TEST, pupilId: 'other', results: '0' }), into);
  expect(into).toEqual({ classId: TEST.classId, pupilId: 'other', week: TEST.week, correct: 0, total: 1 });
});

test.each([
  ['a field missing', { classId: 'c', pupilId: 'p', week: TEST.week }],
  ['a field not a string', { ...TEST, week: new Date('2024-09-02') }],
  ['a number before the fields', { n: 1, ...TEST }],
  ['results not ASCII (its length in characters is not its bytes)', { ...TEST, results: '1é1' }],
])('not the plain shape (%s): false, to be decoded the ordinary way', (_why, doc) => {
  expect(readRawTest(bytes(doc), fresh())).toBe(false);
});
