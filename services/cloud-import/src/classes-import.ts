import { schoolModels, type ClassRecord } from '@taskyard/school-data';
import { id, int, text } from './field-rules';
import type { FileImporter } from './import-context';
import { ownedWriter } from './owned-writer';
import { isRepeat } from './row-checks';
import { RowRules } from './row-rules';

export const CLASS_ROWS = new RowRules({ class_id: id, school_id: id, name: text(64), year_group: int(0, 13) });

export const importClasses: FileImporter = async (rows, c) => {
  // Another school's class is forgotten again, so no pupil row of this import can be put in it.
  const writer = await ownedWriter<ClassRecord>(schoolModels(c.db).Class.collection, c, 'class_id', 'class', c.refs.classes).load();
  for await (const chunk of rows) {
    for (const row of chunk) {
      const v = CLASS_ROWS.parse(row, c.sink);
      if (!v || isRepeat(c.sink, writer, v.class_id, row.row, 'class_id', `class ${v.class_id}`)) continue;
      const owner = c.refs.classes.get(v.class_id);
      if (owner && owner !== v.school_id) {
        c.sink.add({ row: row.row, column: 'class_id', reason: `class ${v.class_id} belongs to school ${owner}` });
        continue;
      }
      c.refs.classes.set(v.class_id, v.school_id);
      writer.add({ _id: v.class_id, schoolId: v.school_id, name: v.name, yearGroup: v.year_group }, [row.row]);
    }
    await writer.room();
  }
  return writer.close();
};
