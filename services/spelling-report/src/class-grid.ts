import type { ClassRecord, PupilRecord } from '@taskyard/school-data';

/** One pupil's row: words right and words set per week column (0 set = no test that week). */
export interface PupilRow {
  pupilId: string;
  givenName: string;
  familyName: string;
  correct: Uint8Array;
  total: Uint8Array;
}

export interface RowStats {
  /** Mean of the weekly percentages over the weeks the pupil sat a test. */
  average: number | undefined;
  tests: number;
}

export const percent = (correct: number, total: number): number | undefined => (total === 0 ? undefined : (100 * correct) / total);

const mean = (values: number[]): number | undefined => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined);

/**
 * A class's pupil x week scores, held as two bytes per cell: a whole school for a whole year is about
 * 80 KB here however big the documents read, which is what keeps the report in bounded memory.
 */
export class ClassGrid {
  private readonly rows = new Map<string, PupilRow>();

  constructor(
    readonly cls: ClassRecord,
    private readonly weekCount: number,
  ) {}

  /** Takes a pupil's row as it was read (see read-grids). */
  adopt(pupil: PupilRecord, correct: Uint8Array, total: Uint8Array): void {
    this.rows.set(pupil._id, { pupilId: pupil._id, givenName: pupil.givenName, familyName: pupil.familyName, correct, total });
  }

  /** Lists a pupil of the class who has no test in the range (a row with no score), unless already listed. */
  enrol(pupil: PupilRecord): void {
    if (!this.rows.has(pupil._id)) this.adopt(pupil, new Uint8Array(this.weekCount), new Uint8Array(this.weekCount));
  }

  /** The pupils listed: the class's own and any other pupil with a test filed under it. */
  pupilIds(): IterableIterator<string> {
    return this.rows.keys();
  }

  /** Pupils by family name, then given name, then id: the order of the sheet and the CSV. */
  sortedRows(): PupilRow[] {
    return [...this.rows.values()].sort(
      (a, b) => a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName) || a.pupilId.localeCompare(b.pupilId),
    );
  }

  static rowStats(row: PupilRow): RowStats {
    const values: number[] = [];
    for (let c = 0; c < row.total.length; c++) if (row.total[c] > 0) values.push(percent(row.correct[c], row.total[c])!);
    return { average: mean(values), tests: values.length };
  }

  /** Mean percentage of the pupils who sat the test of week `column`. */
  columnAverage(column: number): number | undefined {
    const values: number[] = [];
    for (const r of this.rows.values()) if (r.total[column] > 0) values.push(percent(r.correct[column], r.total[column])!);
    return mean(values);
  }

  /** The class's figures for the summary sheet; every test taken weighs the same. */
  summary(): { pupils: number; tests: number; average: number | undefined; lowest: number | undefined; highest: number | undefined } {
    const all: number[] = [];
    const pupilAverages: number[] = [];
    for (const r of this.rows.values()) {
      for (let c = 0; c < r.total.length; c++) if (r.total[c] > 0) all.push(percent(r.correct[c], r.total[c])!);
      const avg = ClassGrid.rowStats(r).average;
      if (avg !== undefined) pupilAverages.push(avg);
    }
    return {
      pupils: this.rows.size,
      tests: all.length,
      average: mean(all),
      lowest: pupilAverages.length ? Math.min(...pupilAverages) : undefined,
      highest: pupilAverages.length ? Math.max(...pupilAverages) : undefined,
    };
  }
}

/** Pupils listed in the report, each counted once however many class sheets list them. */
export function distinctPupils(grids: ClassGrid[]): number {
  const ids = new Set<string>();
  for (const grid of grids) for (const id of grid.pupilIds()) ids.add(id);
  return ids.size;
}
