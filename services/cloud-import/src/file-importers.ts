import { importAssessmentScores, SCORE_ROWS } from './assessment-import';
import { CLASS_ROWS, importClasses } from './classes-import';
import type { FileImporter } from './import-context';
import type { KnownFile } from './known-files';
import { importPupils, PUPIL_ROWS } from './pupils-import';
import { importSpellingResults, SPELLING_ROWS } from './spelling-import';

/** Each known file's required columns (its rows come with their fields in that order) and importer. */
export const FILE_IMPORTERS: Record<KnownFile, { columns: readonly string[]; run: FileImporter }> = {
  'classes.csv': { columns: CLASS_ROWS.columns, run: importClasses },
  'pupils.csv': { columns: PUPIL_ROWS.columns, run: importPupils },
  'spelling_results.csv': { columns: SPELLING_ROWS.columns, run: importSpellingResults },
  'assessment_scores.csv': { columns: SCORE_ROWS.columns, run: importAssessmentScores },
};
