import { SeededRandom } from '@taskyard/school-data';

/**
 * A random import for the property test, written apart from the service: three schools in the
 * database (a and b are imported into; z is another school the zip never names), and a zip whose rows
 * mix good ones with every kind of bad one issue 18 names. Each row is labelled as it is made, from
 * what the generator knows it accepted so far, so the expected outcome is known by construction, not
 * by re-running the import's rules.
 */
export interface Doc {
  _id: string;
  [field: string]: unknown;
}

export interface RandomImport {
  /** What the database holds before the import, by collection. */
  before: Record<string, Doc[]>;
  /** The zip's CSV files. */
  files: Record<string, string>;
  /** Per file, the row numbers that must be rejected (header = row 1). */
  rejected: Record<string, number[]>;
  /** Per file, how many data rows it has. */
  rows: Record<string, number>;
  /** What the database must hold after the import, by collection (the whole collection). */
  after: Record<string, Doc[]>;
  schools: string[];
}

const GIVEN = ['Ada', 'Zoë', 'Émile', 'Nia', 'Åsa', 'Li'];
const FAMILY = ['Ørsted', "O'Neil", 'Smith, Jr', 'Brown', 'He said "hi"', 'Łukasz'];
const WORDS = ['because', 'friend', 'people', 'water', 'naïve', "o'clock", 'café', 'knight', 'rhythm', 'island'];
const WEEKS = ['2025-01-06', '2025-01-13', '2025-01-20'];

const quote = (v: string | number): string => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

class CsvFile {
  readonly lines: string[];
  readonly bad: number[] = [];
  constructor(header: string) {
    this.lines = [header];
  }
  /** Adds a row; returns its row number. */
  add(values: (string | number)[], good: boolean): number {
    this.lines.push(values.map(quote).join(','));
    const row = this.lines.length;
    if (!good) this.bad.push(row);
    return row;
  }
  get rows(): number {
    return this.lines.length - 1;
  }
}

export function randomImport(seed: number, prefix: string): RandomImport {
  const rng = new SeededRandom(seed);
  const [A, B, Z] = ['a', 'b', 'z'].map((s) => `${prefix}${s}`);
  const chance = (p: number): boolean => rng.next() < p;
  const docs: Record<string, Map<string, Doc>> = {};
  const coll = (name: string): Map<string, Doc> => (docs[name] ??= new Map());
  const put = (name: string, d: Doc): void => void coll(name).set(d._id, d);
  for (const s of [A, B, Z]) {
    put('schools', { _id: s, name: s });
    for (let c = 0; c < 2; c++) {
      put('classes', { _id: `${s}-c${c}`, schoolId: s, name: `Class ${c}`, yearGroup: 3 + c });
      for (let p = 0; p < 3; p++) put('pupils', { _id: `${s}-c${c}-p${p}`, schoolId: s, classId: `${s}-c${c}`, givenName: rng.pick(GIVEN), familyName: rng.pick(FAMILY) });
    }
  }
  put('assessment_batches', { _id: `${B}-old`, schoolId: B, channel: 'NCF', name: `${B}-old` });
  put('channels', { _id: 'NCF', name: 'NCF' });
  const before = Object.fromEntries(Object.entries(docs).map(([k, m]) => [k, [...m.values()].map((d) => ({ ...d }))]));
  const schoolOf = (id: string): string | undefined => coll('classes').get(id)?.schoolId as string | undefined;
  const classesOf = (s: string): string[] => [...coll('classes').values()].filter((c) => c.schoolId === s).map((c) => c._id);
  const pupilsOf = (s: string): Doc[] => [...coll('pupils').values()].filter((p) => p.schoolId === s);
  const mine = (): string => (chance(0.5) ? A : B);

  // classes.csv
  const classes = new CsvFile('class_id,school_id,name,year_group');
  const acceptedClasses: string[] = [];
  const refusedClasses: string[] = [];
  for (let i = 0, n = 6 + rng.int(5); i < n; i++) {
    const s = mine();
    const updatable = classesOf(s).filter((c) => !acceptedClasses.includes(c));
    const kind = rng.pick(['new', 'new', 'update', 'otherZ', 'otherB', 'badYear', 'repeat']);
    if (kind === 'new' || (kind === 'repeat' && !acceptedClasses.length) || (kind === 'update' && !updatable.length)) {
      const id = `${s}-n${i}`;
      const d = { _id: id, schoolId: s, name: `Élan ${i}`, yearGroup: rng.int(14) };
      classes.add([id, s, d.name, d.yearGroup], true);
      put('classes', d);
      acceptedClasses.push(id);
    } else if (kind === 'update') {
      const id = rng.pick(updatable);
      const old = coll('classes').get(id)!;
      const d = { ...old, name: `Renamed ${i}` };
      classes.add([id, s, d.name, old.yearGroup as number], true);
      put('classes', d);
      acceptedClasses.push(id);
    } else if (kind === 'otherZ' || kind === 'otherB') {
      const id = rng.pick(classesOf(kind === 'otherZ' ? Z : B));
      classes.add([id, A, 'Stolen', 3], false);
      refusedClasses.push(id);
    } else if (kind === 'badYear') {
      const id = `${s}-bad${i}`;
      classes.add([id, s, 'Bad', rng.pick(['x', '14', '-1'])], false);
      refusedClasses.push(id);
    } else {
      const id = rng.pick(acceptedClasses);
      classes.add([id, schoolOf(id)!, 'Again', 2], false);
    }
  }

  // pupils.csv
  const pupils = new CsvFile('pupil_id,school_id,class_id,given_name,family_name');
  const acceptedPupils: string[] = [];
  const refusedPupils: string[] = [];
  for (let i = 0, n = 8 + rng.int(6); i < n; i++) {
    const s = mine();
    const movable = pupilsOf(s).filter((x) => !acceptedPupils.includes(x._id));
    const kind = rng.pick(['new', 'new', 'move', 'refusedClass', 'otherSchoolClass', 'otherZ', 'repeat', 'noName']);
    const name = [rng.pick(GIVEN), rng.pick(FAMILY)];
    if (kind === 'new' || (kind === 'repeat' && !acceptedPupils.length) || (kind === 'refusedClass' && !refusedClasses.length) || (kind === 'move' && !movable.length)) {
      const id = `${s}-np${i}`;
      const classId = rng.pick(classesOf(s));
      pupils.add([id, s, classId, ...name], true);
      put('pupils', { _id: id, schoolId: s, classId, givenName: name[0], familyName: name[1] });
      acceptedPupils.push(id);
    } else if (kind === 'move') {
      const p = rng.pick(movable);
      const classId = rng.pick(classesOf(s));
      pupils.add([p._id, s, classId, p.givenName as string, p.familyName as string], true);
      put('pupils', { ...p, classId });
      acceptedPupils.push(p._id);
    } else if (kind === 'refusedClass' || kind === 'otherSchoolClass') {
      const id = `${A}-rp${i}`;
      pupils.add([id, A, kind === 'refusedClass' ? rng.pick(refusedClasses) : rng.pick(classesOf(B)), ...name], false);
      refusedPupils.push(id);
    } else if (kind === 'otherZ') {
      const p = rng.pick(pupilsOf(Z));
      pupils.add([p._id, A, rng.pick(classesOf(A)), ...name], false);
      refusedPupils.push(p._id);
    } else if (kind === 'noName') {
      const id = `${s}-nn${i}`;
      pupils.add([id, s, rng.pick(classesOf(s)), '', name[1]], false);
      refusedPupils.push(id);
    } else {
      const id = rng.pick(acceptedPupils);
      const p = coll('pupils').get(id)!;
      pupils.add([id, p.schoolId as string, p.classId as string, 'Again', 'Again'], false);
    }
  }

  // spelling_results.csv: tests of whole pupil-weeks, some rows bad inside good tests
  const spelling = new CsvFile('school_id,pupil_id,week,word,correct');
  const done: { pupil: string; week: string; school: string }[] = [];
  const testsTaken = new Set<string>();
  for (let i = 0, n = 5 + rng.int(5); i < n; i++) {
    const kind = rng.pick(['good', 'good', 'good', 'refusedPupil', 'unknownPupil', 'badWeek', 'split']);
    if (kind === 'good' || (kind === 'split' && !done.length)) {
      const s = mine();
      const p = rng.pick(pupilsOf(s));
      const week = rng.pick(WEEKS);
      const key = `${p._id}:${week}`;
      if (testsTaken.has(key)) continue;
      testsTaken.add(key);
      const words = [...WORDS].sort(() => rng.next() - 0.5).slice(0, 2 + rng.int(5));
      const results: string[] = [];
      const kept: string[] = [];
      for (const w of words) {
        const r = chance(0.7) ? '1' : '0';
        if (chance(0.1)) spelling.add([s, p._id, week, w, 'maybe'], false);
        else {
          spelling.add([s, p._id, week, w, rng.pick(r === '1' ? ['1', 'yes', 'TRUE'] : ['0', 'no', 'false'])], true);
          results.push(r);
          kept.push(w);
          if (chance(0.1)) spelling.add([s, p._id, week, w, r], false); // the same word twice in one test
        }
      }
      if (results.length) {
        put('spelling_weeks', { _id: key, schoolId: s, classId: p.classId, pupilId: p._id, week, results: results.join(''), words: kept });
        done.push({ pupil: p._id, week, school: s });
      }
    } else if (kind === 'refusedPupil' || kind === 'unknownPupil') {
      const id = kind === 'unknownPupil' || !refusedPupils.length ? `${A}-ghost${i}` : rng.pick(refusedPupils);
      for (let w = 0; w < 2; w++) spelling.add([A, id, WEEKS[0], WORDS[w], 1], false);
    } else if (kind === 'badWeek') {
      spelling.add([A, rng.pick(pupilsOf(A))._id, rng.pick(['2024-02-30', '2025-01-07', 'next week']), 'water', 1], false);
    } else {
      // A row of a test already written, after other rows: refused (a test's rows come together).
      const t = rng.pick(done.slice(0, -1).length ? done.slice(0, -1) : done);
      if (t === done.at(-1)) continue;
      spelling.add([t.school, t.pupil, t.week, 'rhythm', 1], false);
    }
  }

  // assessment_scores.csv
  const scores = new CsvFile('school_id,batch_id,channel,pupil_id,content_id,subject,score,max_score,attempted_at');
  const acceptedScores: string[][] = [];
  const TIMES: [string, string][] = [
    ['2025-01-10', '2025-01-10T00:00:00.000Z'],
    ['2025-01-10T09:30:00', '2025-01-10T09:30:00.000Z'],
    ['2025-01-10 09:30:00+01:00', '2025-01-10T08:30:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
  ];
  for (let i = 0, n = 6 + rng.int(6); i < n; i++) {
    const kind = rng.pick(['good', 'good', 'good', 'badDate', 'overMax', 'repeat', 'otherZ', 'otherBatch']);
    const s = mine();
    const p = rng.pick(pupilsOf(s));
    const batch = `${s}-bt`;
    const max = 10 + rng.int(20);
    if (kind === 'good' || (kind === 'repeat' && !acceptedScores.length)) {
      const [raw, iso] = rng.pick(TIMES);
      const score = rng.int(max * 2 + 1) / 2;
      const content = `do_${i}`;
      scores.add([s, batch, 'TPD', p._id, content, 'maths', score, max, raw], true);
      put('assessment_scores', { _id: `${batch}:${p._id}:${content}`, batchId: batch, schoolId: s, pupilId: p._id, contentId: content, subject: 'maths', score, maxScore: max, attemptedAt: iso });
      put('assessment_batches', { _id: batch, schoolId: s, channel: 'TPD', name: batch });
      put('channels', { _id: 'TPD', name: 'TPD' });
      acceptedScores.push([s, batch, p._id, content]);
    } else if (kind === 'badDate' || kind === 'overMax') {
      scores.add([s, batch, 'TPD', p._id, `bad_${i}`, 'maths', kind === 'overMax' ? max + 1 : 1, max, kind === 'badDate' ? '2024-02-30' : '2025-01-10'], false);
    } else if (kind === 'repeat') {
      const [rs, rb, rp, rc] = rng.pick(acceptedScores);
      scores.add([rs, rb, 'TPD', rp, rc, 'maths', 0, 10, '2025-01-11'], false);
    } else if (kind === 'otherZ') {
      scores.add([A, `${A}-bt`, 'TPD', rng.pick(pupilsOf(Z))._id, `z_${i}`, 'maths', 1, 10, '2025-01-10'], false);
    } else {
      scores.add([A, `${B}-old`, 'NCF', rng.pick(pupilsOf(A))._id, `ob_${i}`, 'maths', 1, 10, '2025-01-10'], false);
    }
  }

  const all = { 'classes.csv': classes, 'pupils.csv': pupils, 'spelling_results.csv': spelling, 'assessment_scores.csv': scores };
  const bom = chance(0.5) ? '\ufeff' : '';
  return {
    before,
    files: Object.fromEntries(Object.entries(all).map(([name, f]) => [name, bom + f.lines.join('\r\n') + '\r\n'])),
    rejected: Object.fromEntries(Object.entries(all).map(([name, f]) => [name, f.bad])),
    rows: Object.fromEntries(Object.entries(all).map(([name, f]) => [name, f.rows])),
    after: Object.fromEntries(Object.entries(docs).map(([k, m]) => [k, [...m.values()]])),
    schools: [A, B],
  };
}
