import { addWeeks, mondayOf } from '@taskyard/school-data';

/** The report's columns: every Monday from the week of `from` to `to`, with a lookup from week to column. */
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

  /** The column of a test's week (a date other than a Monday counts in its week); undefined if outside. */
  columnOf(week: string): number | undefined {
    return this.index.get(week) ?? this.index.get(mondayOf(week));
  }
}
