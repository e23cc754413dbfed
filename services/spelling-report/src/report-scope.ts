import type { Connection } from 'mongoose';
import type { SpellingReportParams } from '@taskyard/contracts';
import { isIsoDate, mondayOf, schoolModels, type ClassRecord, type PupilRecord, type SchoolRecord } from '@taskyard/school-data';
import { PermanentJobError } from '@taskyard/worker';

/** The school and the filter of the one cursor the report reads; checked before any heavy read. */
export interface ReportTarget {
  school: SchoolRecord;
  /** A test counts in the week of its Monday. */
  filter: { schoolId: string; classId?: string; week: { $gte: string; $lte: string } };
  from: string;
  to: string;
}

/** The classes (in sheet order) and the school's pupils, loaded while the tests are being read. */
export interface Roster {
  classes: ClassRecord[];
  pupils: Map<string, PupilRecord>;
}

/** Everything the writers need besides the scores. */
export type ReportScope = ReportTarget & Roster;

/** Longest range one report covers: a school year with room to spare; past it the sheet is unreadable. */
const MAX_DAYS = 2 * 366;

function checkDates(from: string, to: string): void {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new PermanentJobError('invalid-date', `from and to must be dates (YYYY-MM-DD), got ${from} and ${to}`);
  if (from > to) throw new PermanentJobError('invalid-range', `from (${from}) is after to (${to})`);
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days > MAX_DAYS) throw new PermanentJobError('range-too-long', `the range spans ${days} days; at most ${MAX_DAYS}`);
}

export async function resolveTarget(db: Connection, params: SpellingReportParams): Promise<ReportTarget> {
  checkDates(params.from, params.to);
  const m = schoolModels(db);
  const school = await m.School.findById(params.schoolId).lean();
  if (!school) throw new PermanentJobError('school-not-found', `no school ${params.schoolId}`);
  if (params.scope === 'class') {
    if (!params.classId) throw new PermanentJobError('class-required', 'scope "class" needs a classId');
    const cls = await m.Class.exists({ _id: params.classId, schoolId: school._id });
    if (!cls) throw new PermanentJobError('class-not-found', `no class ${params.classId} in school ${school._id}`);
  }
  return {
    school,
    filter: { schoolId: school._id, ...(params.scope === 'class' ? { classId: params.classId } : {}), week: { $gte: mondayOf(params.from), $lte: params.to } },
    from: params.from,
    to: params.to,
  };
}

export async function loadRoster(db: Connection, target: ReportTarget): Promise<Roster> {
  const m = schoolModels(db);
  const classFilter = target.filter.classId ? { _id: target.filter.classId } : { schoolId: target.school._id };
  const [classes, pupils] = await Promise.all([
    m.Class.find(classFilter).lean(),
    // The whole school's pupils even for one class: a pupil who has since moved class still has a name.
    m.Pupil.find({ schoolId: target.school._id }).lean(),
  ]);
  classes.sort((a, b) => a.yearGroup - b.yearGroup || a.name.localeCompare(b.name) || a._id.localeCompare(b._id));
  return { classes, pupils: new Map(pupils.map((p) => [p._id, p])) };
}
