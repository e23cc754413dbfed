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
  adopt(pupil: PupilRecord | undefined, pupilId: string, correct: Uint8Array, total: Uint8Array): void {
    this.rows.set(pupilId, { pupilId, givenName: pupil?.givenName ?? '', familyName: pupil?.familyName ?? pupilId, correct, total });
  }

  add(pupil: PupilRecord | undefined, pupilId: string, column: number, correct: number, total: number): void {
    let row = this.rows.get(pupilId);
    if (!row) {
      row = {
        pupilId,
        givenName: pupil?.givenName ?? '',
        familyName: pupil?.familyName ?? pupilId,
        correct: new Uint8Array(this.weekCount),
        total: new Uint8Array(this.weekCount),
      };
      this.rows.set(pupilId, row);
    }
    row.correct[column] = Math.min(correct, 255);
    row.total[column] = Math.min(total, 255);
  }

  /** Pupils by family name, then given name, then id: the order of the sheet and the CSV. */
  sortedRows(): PupilRow[] {
    return [...this.rows.values()].sort(
      (a, b) => a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName) || a.pupilId.localeCompare(b.pupilId),
    );
  }

  /** Columns at least one pupil sat a test in. */
  activeColumns(): number[] {
    const cols: number[] = [];
    for (let c = 0; c < this.weekCount; c++) if ([...this.rows.values()].some((r) => r.total[c] > 0)) cols.push(c);
    return cols;
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
