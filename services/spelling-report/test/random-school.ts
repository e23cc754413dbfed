import type { Connection } from 'mongoose';
import { SeededRandom, type ClassRecord, type PupilRecord, type SpellingWeekRecord } from '@taskyard/school-data';

/** A random pair of schools with spelling tests, and a random report range, for the property test. */
export interface RandomSchool {
  schoolId: string;
  from: string;
  to: string;
  classes: ClassRecord[];
  pupils: PupilRecord[];
  tests: SpellingWeekRecord[];
}

const GIVEN = ['Ada', 'Zoë', 'Émile', 'Nia', 'Tom', 'Åsa', 'Li', 'Ola'];
const FAMILY = ['Ørsted', "O'Neil", 'Smith, Jr', 'Brown', '"Quoted"', 'Łukasz', 'Adams', 'brown'];
const CLASS_NAMES = ['3A', '3B', 'Élan', 'Ørsted 4', 'Year 5/6'];
const DAY = 86_400_000;
const day = (base: string, n: number): string => new Date(Date.parse(`${base}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

function results(rng: SeededRandom): string {
  const words = 5 + rng.int(21);
  let s = '';
  for (let i = 0; i < words; i++) s += rng.next() < 0.7 ? '1' : '0';
  return s;
}

/**
 * School `<prefix>-a` is reported; `<prefix>-b` is another school whose class and pupils some of a's
 * tests wrongly name (what a leaky import left). Pupils move class, miss weeks, one whole week may
 * have no test, tests lie outside the range, `from` and `to` may fall mid-week.
 */
export function randomSchool(seed: number, prefix: string): RandomSchool {
  const rng = new SeededRandom(seed);
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const classes: ClassRecord[] = [];
  const pupils: PupilRecord[] = [];
  for (const school of [a, b]) {
    const names = [...CLASS_NAMES].sort(() => rng.next() - 0.5).slice(0, 2 + rng.int(2));
    for (const [i, name] of names.entries()) {
      const cls = { _id: `${school}-c${i}`, schoolId: school, name, yearGroup: 3 + rng.int(3) };
      classes.push(cls);
      for (let p = 0, n = 2 + rng.int(5); p < n; p++) {
        pupils.push({ _id: `${cls._id}-p${p}`, schoolId: school, classId: cls._id, givenName: rng.pick(GIVEN), familyName: rng.pick(FAMILY) });
      }
    }
  }
  const base = '2024-09-02';
  const from = day(base, rng.int(7));
  const to = day(from, 14 + rng.int(28));
  const emptyWeek = rng.next() < 0.7 ? day(base, 7 * (1 + rng.int(2))) : undefined;
  const noTests = rng.pick(pupils.filter((p) => p.schoolId === a))._id;
  const tests: SpellingWeekRecord[] = [];
  const classesOf = (school: string): ClassRecord[] => classes.filter((c) => c.schoolId === school);
  for (const p of pupils) {
    for (let w = -1; w < 8; w++) {
      const week = day(base, 7 * w);
      if (week === emptyWeek || p._id === noTests || rng.next() < 0.35) continue;
      const r = rng.next();
      // Mostly the pupil's own class; sometimes another class of the school (moved), rarely school b's class.
      const classId = r < 0.8 ? p.classId : r < 0.93 ? rng.pick(classesOf(p.schoolId))._id : rng.pick(classesOf(b))._id;
      tests.push({ _id: `${p._id}:${week}`, schoolId: p.schoolId, classId, pupilId: p._id, week, testId: `${p.schoolId}:${week}:t`, results: results(rng) });
    }
  }
  // A test filed under school a for a pupil of school b.
  const stray = rng.pick(pupils.filter((p) => p.schoolId === b));
  tests.push({ _id: `${stray._id}:stray`, schoolId: a, classId: classesOf(a)[0]._id, pupilId: stray._id, week: day(base, 14), testId: 'x', results: results(rng) });
  return { schoolId: a, from, to, classes, pupils, tests };
}

export async function insertSchool(conn: Connection, s: RandomSchool): Promise<void> {
  const db = conn.db!;
  const schools = [...new Set(s.classes.map((c) => c.schoolId))].map((id) => ({ _id: id, name: `School ${id}` }));
  await db.collection<{ _id: string }>('schools').insertMany(schools);
  await db.collection<{ _id: string }>('classes').insertMany(s.classes.map((c) => ({ ...c })));
  await db.collection<{ _id: string }>('pupils').insertMany(s.pupils.map((p) => ({ ...p })));
  for (let i = 0; i < s.tests.length; i += 500) await db.collection<{ _id: string }>('spelling_weeks').insertMany(s.tests.slice(i, i + 500).map((t) => ({ ...t })));
}
