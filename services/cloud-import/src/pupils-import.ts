import { schoolModels, type PupilRecord } from '@taskyard/school-data';
import { id, parseRow, text } from './field-rules';
import type { FileImporter } from './import-context';
import { ownedWriter } from './owned-writer';
import { isRepeat } from './row-checks';

export const PUPIL_COLUMNS = { pupil_id: id, school_id: id, class_id: id, given_name: text(64), family_name: text(64) };

export const importPupils: FileImporter = async (rows, c) => {
  // Another school's pupil is forgotten again, so none of this import's results can be filed under them.
  const writer = ownedWriter<PupilRecord>(schoolModels(c.db).Pupil.collection, c, 'pupil_id', 'pupil', c.refs.pupils);
  for await (const row of rows) {
    const v = parseRow(row, PUPIL_COLUMNS, c.sink);
    if (!v || (await isRepeat(c.sink, writer, v.pupil_id, row.row, 'pupil_id', `pupil ${v.pupil_id}`))) continue;
    const classSchool = c.refs.classes.get(v.class_id);
    if (classSchool !== v.school_id) {
      c.sink.add({ row: row.row, column: 'class_id', reason: classSchool ? `class ${v.class_id} is in school ${classSchool}` : `no class ${v.class_id} in school ${v.school_id}` });
      continue;
    }
    const known = c.refs.pupils.get(v.pupil_id);
    if (known && known.schoolId !== v.school_id) {
      c.sink.add({ row: row.row, column: 'pupil_id', reason: `pupil ${v.pupil_id} belongs to school ${known.schoolId}` });
      continue;
    }
    c.refs.pupils.set(v.pupil_id, { schoolId: v.school_id, classId: v.class_id });
    await writer.add({ _id: v.pupil_id, schoolId: v.school_id, classId: v.class_id, givenName: v.given_name, familyName: v.family_name }, [row.row]);
  }
  return writer.close();
};
