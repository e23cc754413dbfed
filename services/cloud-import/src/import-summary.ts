import { partialResult, type TaskResult } from '@taskyard/contracts';
import type { FileReport } from './file-report';
import type { KnownFile } from './known-files';

/** summary.json: what the import did, file by file. */
export interface ImportSummary {
  taskId: string;
  fileName?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  schools: string[];
  files: Partial<Record<KnownFile, FileReport & { refused?: string }>>;
  /** Entries that feed no import: reported, not imported. */
  unknownFiles: string[];
  /** Second entries with a known file's name (in another folder): skipped. */
  duplicateFiles: string[];
  totals: { rows: number; accepted: number; rejected: number };
}

export function totalsOf(files: ImportSummary['files']): ImportSummary['totals'] {
  const all = Object.values(files);
  const sum = (f: (r: FileReport) => number): number => all.reduce((n, r) => n + f(r!), 0);
  return { rows: sum((r) => r.rows), accepted: sum((r) => r.accepted), rejected: sum((r) => r.rejected) };
}

/** What the import left out, for the task's result: rejected rows, files it does not know, second copies. */
export function importShortfalls(summary: Pick<ImportSummary, 'totals' | 'unknownFiles' | 'duplicateFiles'>): Pick<TaskResult, 'partial'> {
  return partialResult([
    { count: summary.totals.rejected, of: summary.totals.rows, one: 'row rejected', other: 'rows rejected' },
    { count: summary.unknownFiles.length, one: 'file not imported (unknown name)', other: 'files not imported (unknown names)' },
    { count: summary.duplicateFiles.length, one: 'file skipped (a second copy)', other: 'files skipped (second copies)' },
  ]);
}
