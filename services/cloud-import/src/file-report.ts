import type { WriteCounts } from './idempotent-writer';

/** What one file's import did, for summary.json. */
export interface FileReport {
  /** The entry's name in the zip. */
  entry: string;
  rows: number;
  accepted: number;
  rejected: number;
  /** Documents written from the accepted rows (spelling rows pack into one document per pupil-week). */
  documents: WriteCounts;
  /** Name of the rejected-rows artifact, when any row was refused. */
  rejectedFile?: string;
}

export const emptyCounts = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

export function addCounts(a: WriteCounts, b: WriteCounts): WriteCounts {
  return { inserted: a.inserted + b.inserted, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged };
}
