/** The files an import zip may hold, named after the import they feed, in the order they are imported. */
export const KNOWN_FILES = ['classes.csv', 'pupils.csv', 'spelling_results.csv', 'assessment_scores.csv'] as const;
export type KnownFile = (typeof KNOWN_FILES)[number];

/** The known files in stages: a file's rows refer only to what files of earlier stages hold. */
export const IMPORT_STAGES: readonly (readonly KnownFile[])[] = [['classes.csv'], ['pupils.csv'], ['spelling_results.csv', 'assessment_scores.csv']];

/** An entry feeds an import by its file name, in any folder of the zip and in any letter case. */
export function knownFileOf(entryName: string): KnownFile | undefined {
  const base = entryName.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
  return (KNOWN_FILES as readonly string[]).includes(base) ? (base as KnownFile) : undefined;
}
