import { schoolModels, type ClassRecord } from '@taskyard/school-data';
import { id, int, parseRow, text } from './field-rules';
import { IdempotentWriter } from './idempotent-writer';
import type { FileImporter } from './import-context';
import { otherSchool } from './other-school';
import { isRepeat, refuseRows } from './row-checks';

export const CLASS_COLUMNS = { class_id: id, school_id: id, name: text(64), year_group: int(0, 13) };

export const importClasses: FileImporter = async (rows, c) => {
  const writer = new IdempotentWriter<ClassRecord>(schoolModels(c.db).Class.collection, {
    schools: c.schools,
    guard: otherSchool('class_id', 'class'),
    // Another school's class: forgotten again, so no pupil row of this import can be put in it.
    onRefused: (refusal, rowsOf, doc) => {
      refuseRows(c.sink, refusal, rowsOf);
      c.refs.classes.delete(doc._id);
    },
  });
  for await (const row of rows) {
    const v = parseRow(row, CLASS_COLUMNS, c.sink);
    if (!v || (await isRepeat(c.sink, writer, v.class_id, row.row, 'class_id', `class ${v.class_id}`))) continue;
    const owner = c.refs.classes.get(v.class_id);
    if (owner && owner !== v.school_id) {
      c.sink.add({ row: row.row, column: 'class_id', reason: `class ${v.class_id} belongs to school ${owner}` });
      continue;
    }
    c.refs.classes.set(v.class_id, v.school_id);
    await writer.add({ _id: v.class_id, schoolId: v.school_id, name: v.name, yearGroup: v.year_group }, [row.row]);
  }
  return writer.close();
};
