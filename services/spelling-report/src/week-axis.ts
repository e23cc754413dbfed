import { addWeeks, mondayOf } from '@taskyard/school-data';

/**
 * The report's columns: every week with a day in `from`..`to` (a mid-week `from` brings in its whole
 * week, a test being filed under its week's Monday), empty weeks included, with a lookup from week to column.
 */
export class WeekAxis {
  readonly weeks: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(from: string, to: string) {
    for (let week = mondayOf(from); week <= to; week = addWeeks(week, 1)) {
      this.index.set(week, this.weeks.length);
      this.weeks.push(week);
    }
  }

  get length(): number {
    return this.weeks.length;
  }

  /** The rule the report holds, in words for its readers. */
  describe(from: string, to: string): string {
    return `every week with a day from ${from} to ${to}: weeks commencing ${this.weeks[0]} to ${this.weeks.at(-1)}; a test counts in the week it is filed under`;
  }

  /** The column of a test's week (a date other than a Monday counts in its week); undefined if outside. */
  columnOf(week: string): number | undefined {
    return this.index.get(week) ?? this.index.get(mondayOf(week));
  }
}
