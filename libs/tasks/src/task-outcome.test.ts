import { listKeys, nodeId, secondOf } from './list-keys';
import { keysLeft, outcomeDocument, statusOfKey, withOutcome, type TaskOutcomeRecord } from './task-outcome';

const createdAt = new Date(Date.UTC(2026, 10, 30, 9, 0, 0));
const second = secondOf(createdAt);
const ran = { _id: 't1', owner: 'o|1', type: 'diagnostic', status: 'running' as const, createdAt };

test('the status a list key is of: its scope\'s, decoded; none for a list of every status', () => {
  expect(statusOfKey(nodeId('u.o%7C1|s.running', 0, second))).toBe('running');
  expect(statusOfKey(nodeId('*|s.failed', 0, second))).toBe('failed');
  expect(statusOfKey(nodeId('u.o%7C1|t.report', 0, second))).toBeUndefined();
  expect(statusOfKey(nodeId('*', 0, second))).toBeUndefined();
});

test("an outcome holds the end's fields, the removed fields' names, its new list keys and the open lists' it leaves", () => {
  const ended = { ...ran, status: 'succeeded' as const };
  const doc = outcomeDocument(ran, { $set: { status: 'succeeded', progress: 100, lk: listKeys(ended) }, $unset: { heartbeatAt: '' } });
  expect(doc).toEqual({
    _id: 't1',
    status: 'succeeded',
    progress: 100,
    lk: [...listKeys(ended), nodeId('u.o%7C1|s.running', 0, second), nodeId('*|s.running', 0, second)],
    u: ['heartbeatAt'],
  });
  expect(keysLeft(doc)).toEqual([nodeId('u.o%7C1|s.running', 0, second), nodeId('*|s.running', 0, second)]);
});

test('a task whose document holds an end already (stored before outcomes) leaves that list when its end changes', () => {
  const stored = { ...ran, status: 'succeeded' as const };
  const doc = outcomeDocument(stored, { $set: { status: 'expired', lk: listKeys({ ...ran, status: 'expired' }) } });
  expect(doc.lk).toEqual([...listKeys({ ...ran, status: 'expired' }), nodeId('u.o%7C1|s.succeeded', 0, second), nodeId('*|s.succeeded', 0, second)]);
  expect(keysLeft(doc)).toEqual([nodeId('u.o%7C1|s.succeeded', 0, second), nodeId('*|s.succeeded', 0, second)]);
});

test("a child's outcome names its parent and no list (a fan-out's children are in none)", () => {
  expect(outcomeDocument({ ...ran, parentId: 'p' }, { $set: { status: 'failed', lk: [] } })).toEqual({ _id: 't1', status: 'failed', parentId: 'p' });
});

test("a task read with its outcome: the end's fields over the stored ones, removed fields gone, a projection's fields only", () => {
  const stored = { _id: 't1', status: 'running', progress: 40, heartbeatAt: createdAt, title: 'x' };
  const outcome: TaskOutcomeRecord = { _id: 't1', status: 'succeeded', progress: 100, lk: ['k'], u: ['heartbeatAt'] };
  expect(withOutcome(stored, outcome)).toEqual({ _id: 't1', status: 'succeeded', progress: 100, title: 'x', lk: ['k'] });
  expect(withOutcome({ _id: 't1', status: 'running' }, outcome, { status: 1 })).toEqual({ _id: 't1', status: 'succeeded' });
  expect(withOutcome({ _id: 't1', status: 'running', progress: 40 }, outcome, { lk: 0, title: 0 })).toEqual({ _id: 't1', status: 'succeeded', progress: 100 });
  expect(withOutcome(stored, null)).toBe(stored);
});
