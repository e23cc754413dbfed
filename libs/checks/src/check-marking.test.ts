import { CheckUnmarkable, markCheck } from './check-marking';

const questions = [
  { order: 1, factor1: 3, factor2: 4 },
  { order: 2, factor1: 7, factor2: 8 },
  { order: 3, factor1: 12, factor2: 12 },
];
const answer = (question: number, answer: string) => {
  const q = questions[question - 1];
  return { question, factor1: q.factor1, factor2: q.factor2, answer, clientTimestamp: '2025-06-09T09:00:00.000Z' };
};

test('one mark per right product; wrong, blank and unanswered score nothing', () => {
  expect(markCheck({ questions, answers: [answer(1, '12'), answer(2, ' 56 '), answer(3, '')] })).toEqual({ mark: 2, maxMark: 3 });
  expect(markCheck({ questions, answers: [answer(1, '13'), answer(3, '144')] })).toEqual({ mark: 1, maxMark: 3 });
  expect(markCheck({ questions, answers: [answer(1, '12abc'), answer(2, '5.6e1')] })).toEqual({ mark: 0, maxMark: 3 });
});

test('answers that do not match the questions make the check unmarkable', () => {
  expect(() => markCheck({ questions, answers: [{ ...answer(1, '12'), question: 9 }] })).toThrow(new CheckUnmarkable('an answer to question 9, which the check did not ask'));
  expect(() => markCheck({ questions, answers: [{ ...answer(1, '12'), factor2: 5 }] })).toThrow(CheckUnmarkable);
  expect(() => markCheck({ questions, answers: [answer(1, '12'), answer(1, '12')] })).toThrow('two answers to question 1');
  expect(() => markCheck({ questions: [...questions, questions[0]], answers: [] })).toThrow('two questions have the same number');
});
