import { schoolModels, spellingTestId, spellingWeekId, packResults, type SpellingTestRecord, type SpellingWeekRecord } from '@taskyard/school-data';
import { bit, id, monday, parseRow, word } from './field-rules';
import { IdempotentWriter } from './idempotent-writer';
import type { FileImporter, ImportContext } from './import-context';
import { otherSchool } from './other-school';

export const SPELLING_COLUMNS = { school_id: id, pupil_id: id, week: monday, word, correct: bit };

/** The report keeps a cell's word count in a byte; real tests have 10 to 30 words. */
const MAX_WORDS = 200;

/** The rows of one pupil's test of one week, gathered into the one document they become. */
interface OpenTest {
  key: string;
  schoolId: string;
  classId: string;
  pupilId: string;
  week: string;
  words: string[];
  results: boolean[];
  firstRow: number;
}

class SpellingPacker {
  private open?: OpenTest;
  /** Tests already written: their rows must come together, as every export writes them. */
  private readonly closed = new Set<string>();
  private readonly testsWritten = new Set<string>();
  readonly weeks: IdempotentWriter<SpellingWeekRecord>;
  readonly tests: IdempotentWriter<SpellingTestRecord>;

  constructor(private readonly c: ImportContext) {
    const m = schoolModels(c.db);
    this.weeks = new IdempotentWriter(m.SpellingWeek.collection, c.schools, (r) => c.sink.add(r), otherSchool('pupil_id'));
    this.tests = new IdempotentWriter(m.SpellingTest.collection, c.schools, (r) => c.sink.add(r));
  }

  async add(row: number, v: { school_id: string; pupil_id: string; week: string; word: string; correct: boolean }, classId: string): Promise<void> {
    const key = spellingWeekId(v.pupil_id, v.week);
    if (this.open && this.open.key !== key) await this.flush();
    if (!this.open) {
      if (this.closed.has(key)) {
        this.c.sink.add({ row, column: 'week', reason: `the rows of pupil ${v.pupil_id}'s test of ${v.week} must be together; this one comes after other rows` });
        return;
      }
      this.open = { key, schoolId: v.school_id, classId, pupilId: v.pupil_id, week: v.week, words: [], results: [], firstRow: row };
    }
    const t = this.open;
    if (t.words.includes(v.word)) return this.c.sink.add({ row, column: 'word', reason: `"${v.word}" is already in this pupil's test of ${v.week}` });
    if (t.words.length >= MAX_WORDS) return this.c.sink.add({ row, column: 'word', reason: `a test has at most ${MAX_WORDS} words` });
    t.words.push(v.word);
    t.results.push(v.correct);
  }

  async flush(): Promise<void> {
    const t = this.open;
    if (!t) return;
    this.open = undefined;
    this.closed.add(t.key);
    const testId = spellingTestId(t.schoolId, t.week, t.words);
    if (!this.testsWritten.has(testId)) {
      this.testsWritten.add(testId);
      await this.tests.add({ _id: testId, schoolId: t.schoolId, week: t.week, words: t.words }, t.firstRow);
    }
    await this.weeks.add({ _id: t.key, schoolId: t.schoolId, classId: t.classId, pupilId: t.pupilId, week: t.week, testId, results: packResults(t.results) }, t.firstRow);
  }
}

/** Per-word rows packed into one document per pupil-week (the shape the report reads ~9x faster). */
export const importSpellingResults: FileImporter = async (rows, c) => {
  const packer = new SpellingPacker(c);
  for await (const row of rows) {
    const v = parseRow(row, SPELLING_COLUMNS, c.sink);
    if (!v) continue;
    const pupil = c.refs.pupils.get(v.pupil_id);
    if (!pupil || pupil.schoolId !== v.school_id) {
      c.sink.add({ row: row.row, column: 'pupil_id', reason: pupil ? `pupil ${v.pupil_id} is in school ${pupil.schoolId}` : `no pupil ${v.pupil_id} in school ${v.school_id}` });
      continue;
    }
    await packer.add(row.row, v, pupil.classId);
  }
  await packer.flush();
  await packer.tests.close();
  // The word lists are shared documents; the counts that mean something to a user are the pupils' tests.
  return packer.weeks.close();
};
