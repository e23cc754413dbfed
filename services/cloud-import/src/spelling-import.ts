import { schoolModels, spellingTestId, spellingWeekId, packResults, type SpellingTestRecord, type SpellingWeekRecord } from '@taskyard/school-data';
import { bit, id, monday, word } from './field-rules';
import { IdempotentWriter, type WriteCounts } from './idempotent-writer';
import type { FileImporter, ImportContext } from './import-context';
import type { PupilRef } from './import-refs';
import { ownedWriter } from './owned-writer';
import { RowRules } from './row-rules';

export const SPELLING_ROWS = new RowRules({ school_id: id, pupil_id: id, week: monday, word, correct: bit });

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
  /** The rows the test came from: all are refused if its document is. */
  rows: number[];
}

class SpellingPacker {
  private open?: OpenTest;
  readonly weeks: IdempotentWriter<SpellingWeekRecord>;
  readonly tests: IdempotentWriter<SpellingTestRecord>;

  constructor(private readonly c: ImportContext) {
    const m = schoolModels(c.db);
    this.weeks = ownedWriter(m.SpellingWeek.collection, c, 'pupil_id', "pupil's test");
    this.tests = new IdempotentWriter(m.SpellingTest.collection, { schools: c.schools, tracker: c.tracker });
  }

  async load(): Promise<this> {
    await Promise.all([this.weeks.load(), this.tests.load()]);
    return this;
  }

  /** A row of `pupil`'s test (its ids are taken from the refs: see PupilRef). */
  add(row: number, v: { week: string; word: string; correct: boolean }, pupil: PupilRef): void {
    const key = spellingWeekId(pupil.pupilId, v.week);
    if (this.open && this.open.key !== key) this.flush();
    if (!this.open) {
      // Tests already written: their rows must come together, as every export writes them.
      const first = this.weeks.takenAt(key);
      if (first !== undefined) {
        this.c.sink.add({ row, column: 'week', reason: `the rows of pupil ${pupil.pupilId}'s test of ${v.week} must be together (it starts at row ${first}); this one comes after other rows` });
        return;
      }
      this.open = { key, schoolId: pupil.schoolId, classId: pupil.classId, pupilId: pupil.pupilId, week: v.week, words: [], results: [], rows: [] };
    }
    const t = this.open;
    if (t.words.includes(v.word)) return this.c.sink.add({ row, column: 'word', reason: `"${v.word}" is already in this pupil's test of ${v.week}` });
    if (t.words.length >= MAX_WORDS) return this.c.sink.add({ row, column: 'word', reason: `a test has at most ${MAX_WORDS} words` });
    t.words.push(v.word);
    t.results.push(v.correct);
    t.rows.push(row);
  }

  /** Queues the open test's documents. */
  flush(): void {
    const t = this.open;
    if (!t) return;
    this.open = undefined;
    const testId = spellingTestId(t.schoolId, t.week, t.words);
    // A word list is shared by every pupil who sat it: written once.
    if (this.tests.takenAt(testId) === undefined) this.tests.add({ _id: testId, schoolId: t.schoolId, week: t.week, words: t.words }, t.rows);
    this.weeks.add({ _id: t.key, schoolId: t.schoolId, classId: t.classId, pupilId: t.pupilId, week: t.week, testId, results: packResults(t.results) }, t.rows);
  }

  /** Lets full batches go to the database. */
  async room(): Promise<void> {
    await this.tests.room();
    await this.weeks.room();
  }

  async close(): Promise<WriteCounts> {
    this.flush();
    await this.tests.close();
    // The word lists are shared documents; the counts that mean something to a user are the pupils' tests.
    return this.weeks.close();
  }
}

/** Per-word rows packed into one document per pupil-week (the shape the report reads ~9x faster). */
export const importSpellingResults: FileImporter = async (rows, c) => {
  const packer = await new SpellingPacker(c).load();
  for await (const chunk of rows) {
    for (const row of chunk) {
      const v = SPELLING_ROWS.parse(row, c.sink);
      if (!v) continue;
      const pupil = c.refs.pupils.get(v.pupil_id);
      if (!pupil || pupil.schoolId !== v.school_id) {
        c.sink.add({ row: row.row, column: 'pupil_id', reason: pupil ? `pupil ${v.pupil_id} is in school ${pupil.schoolId}` : `no pupil ${v.pupil_id} in school ${v.school_id}` });
        continue;
      }
      packer.add(row.row, v, pupil);
    }
    await packer.room();
  }
  return packer.close();
};
