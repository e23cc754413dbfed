import type { CompleteCheck } from '@taskyard/contracts';

export class CheckUnmarkable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckUnmarkable';
  }
}

export interface CheckMark {
  mark: number;
  maxMark: number;
}

const WHOLE_NUMBER = /^\d{1,4}$/;

/**
 * One mark per question answered with its product; an unanswered question scores nothing. A check whose
 * answers do not match its questions (a question it never asked, factors that differ, two answers to one
 * question) cannot be marked: its data is not what the pupil saw.
 */
export function markCheck(check: Pick<CompleteCheck, 'questions' | 'answers'>): CheckMark {
  const questions = new Map(check.questions.map((q) => [q.order, q]));
  if (questions.size !== check.questions.length) throw new CheckUnmarkable('two questions have the same number');
  const answered = new Set<number>();
  let mark = 0;
  for (const a of check.answers) {
    const q = questions.get(a.question);
    if (!q) throw new CheckUnmarkable(`an answer to question ${a.question}, which the check did not ask`);
    if (q.factor1 !== a.factor1 || q.factor2 !== a.factor2) {
      throw new CheckUnmarkable(`question ${a.question} was ${q.factor1}x${q.factor2}, but its answer is to ${a.factor1}x${a.factor2}`);
    }
    if (answered.has(a.question)) throw new CheckUnmarkable(`two answers to question ${a.question}`);
    answered.add(a.question);
    const given = a.answer.trim();
    if (WHOLE_NUMBER.test(given) && Number(given) === q.factor1 * q.factor2) mark++;
  }
  return { mark, maxMark: questions.size };
}
