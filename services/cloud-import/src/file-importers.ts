import { importAssessmentScores, SCORE_COLUMNS } from './assessment-import';
import { CLASS_COLUMNS, importClasses } from './classes-import';
import type { FileImporter } from './import-context';
import type { KnownFile } from './known-files';
import { importPupils, PUPIL_COLUMNS } from './pupils-import';
import { importSpellingResults, SPELLING_COLUMNS } from './spelling-import';

/** Each known file's required columns and importer. */
export const FILE_IMPORTERS: Record<KnownFile, { columns: string[]; run: FileImporter }> = {
  'classes.csv': { columns: Object.keys(CLASS_COLUMNS), run: importClasses },
  'pupils.csv': { columns: Object.keys(PUPIL_COLUMNS), run: importPupils },
  'spelling_results.csv': { columns: Object.keys(SPELLING_COLUMNS), run: importSpellingResults },
  'assessment_scores.csv': { columns: Object.keys(SCORE_COLUMNS), run: importAssessmentScores },
};
