import type { ClassRecord, PupilRecord, SpellingWeekRecord } from '@taskyard/school-data';

/**
 * The spelling report recomputed for the tests from the raw documents, written apart from the
 * service (none of its functions): exact integer arithmetic where the report rounds (half up to one
 * decimal), plain means elsewhere.
 */
export interface ExpectedRow {
  pupilId: string;
  familyName: string;
  givenName: string;
  /** Per week of the report: [right, words] or null (no test). */
  cells: ([number, number] | null)[];
  average: number | null;
  tests: number;
}
export interface ExpectedClass {
  cls: ClassRecord;
  rows: ExpectedRow[];
  /** Rounded half up to one decimal, as the footer shows them. */
  weekAverages: (number | null)[];
  average: number | null;
  tests: number;
  lowest: number | null;
  highest: number | null;
}
export interface ExpectedReport {
  weeks: string[];
  classes: ExpectedClass[];
  distinctPupils: number;
  tests: number;
  docsRead: number;
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Mondays of every week with a day in from..to. */
export function weeksOf(from: string, to: string): string[] {
  const f = Date.parse(`${from}T00:00:00Z`);
  let monday = f - ((new Date(f).getUTCDay() + 6) % 7) * DAY;
  const weeks: string[] = [];
  for (; monday <= Date.parse(`${to}T00:00:00Z`); monday += 7 * DAY) weeks.push(iso(monday));
  return weeks;
}

/** 100 * right / words, rounded half up to one decimal, from integers only: the text of the figure. */
export function percentText(right: number, words: number): string {
  const tenths = Math.floor((2000 * right + words) / (2 * words));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** The mean of the tests' percentages, rounded half up to one decimal, exactly (as a fraction of integers). */
export function meanTenths(cells: [number, number][]): number | null {
  if (!cells.length) return null;
  // mean = 100 * sum(right/words) / n = num / den with den = n * product of the word counts.
  let num = 0n;
  let den = 1n;
  for (const [right, words] of cells) {
    num = num * BigInt(words) + BigInt(right) * den;
    den *= BigInt(words);
  }
  num *= 100n;
  den *= BigInt(cells.length);
  const t = (20n * num + den) / (2n * den);
  return Number(t) / 10;
}

const avg = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const pct = ([right, words]: [number, number]): number => (100 * right) / words;

export function expectedReport(opts: { schoolId: string; classId?: string; from: string; to: string; classes: ClassRecord[]; pupils: PupilRecord[]; tests: SpellingWeekRecord[] }): ExpectedReport {
  const weeks = weeksOf(opts.from, opts.to);
  const pupils = new Map(opts.pupils.filter((p) => p.schoolId === opts.schoolId).map((p) => [p._id, p]));
  const classes = opts.classes
    .filter((c) => c.schoolId === opts.schoolId && (!opts.classId || c._id === opts.classId))
    .sort((a, b) => a.yearGroup - b.yearGroup || a.name.localeCompare(b.name) || a._id.localeCompare(b._id));
  // What the report's query reads: the school's (and class's) tests with a Monday from the first week to `to`.
  const read = opts.tests.filter((t) => t.schoolId === opts.schoolId && (!opts.classId || t.classId === opts.classId) && t.week >= weeks[0] && t.week <= opts.to);
  let tests = 0;
  const listed = new Set<string>();
  const out: ExpectedClass[] = classes.map((cls) => {
    const mine = read.filter((t) => t.classId === cls._id && pupils.has(t.pupilId));
    const ids = new Set([...[...pupils.values()].filter((p) => p.classId === cls._id).map((p) => p._id), ...mine.map((t) => t.pupilId)]);
    const rows: ExpectedRow[] = [...ids].map((id) => {
      const p = pupils.get(id)!;
      const cells = weeks.map((w): [number, number] | null => {
        const t = mine.find((x) => x.pupilId === id && x.week === w);
        return t ? [[...t.results].filter((ch) => ch === '1').length, t.results.length] : null;
      });
      const taken = cells.filter((c): c is [number, number] => c !== null);
      return { pupilId: id, familyName: p.familyName, givenName: p.givenName, cells, average: avg(taken.map(pct)), tests: taken.length };
    });
    rows.sort((a, b) => a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName) || a.pupilId.localeCompare(b.pupilId));
    for (const id of ids) listed.add(id);
    const all = rows.flatMap((r) => r.cells.filter((c): c is [number, number] => c !== null).map(pct));
    tests += all.length;
    const pupilAverages = rows.map((r) => r.average).filter((a): a is number => a !== null);
    return {
      cls,
      rows,
      weekAverages: weeks.map((_w, i) => meanTenths(rows.map((r) => r.cells[i]).filter((c): c is [number, number] => c !== null))),
      average: avg(all),
      tests: all.length,
      lowest: pupilAverages.length ? Math.min(...pupilAverages) : null,
      highest: pupilAverages.length ? Math.max(...pupilAverages) : null,
    };
  });
  return { weeks, classes: out, distinctPupils: listed.size, tests, docsRead: read.length };
}
