import { schoolModels, type PupilRecord } from '@taskyard/school-data';
import { id, text } from './field-rules';
import type { FileImporter } from './import-context';
import { ownedWriter } from './owned-writer';
import { isRepeat } from './row-checks';
import { RowRules } from './row-rules';

export const PUPIL_ROWS = new RowRules({ pupil_id: id, school_id: id, class_id: id, given_name: text(64), family_name: text(64) });

export const importPupils: FileImporter = async (rows, c) => {
  // Another school's pupil is forgotten again, so none of this import's results can be filed under them.
  const writer = await ownedWriter<PupilRecord>(schoolModels(c.db).Pupil.collection, c, 'pupil_id', 'pupil', c.refs.pupils).load();
  for await (const chunk of rows) {
    for (const row of chunk) {
      const v = PUPIL_ROWS.parse(row, c.sink);
      if (!v || isRepeat(c.sink, writer, v.pupil_id, row.row, 'pupil_id', `pupil ${v.pupil_id}`)) continue;
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
      c.refs.pupils.set(v.pupil_id, { pupilId: v.pupil_id, schoolId: v.school_id, classId: v.class_id });
      writer.add({ _id: v.pupil_id, schoolId: v.school_id, classId: v.class_id, givenName: v.given_name, familyName: v.family_name }, [row.row]);
    }
    await writer.room();
  }
  return writer.close();
};
