import type { CsvRow } from './csv-rows';
import { Invalid, type Rule } from './field-rules';
import type { RejectSink } from './rejections';

export type Parsed<S> = { [K in keyof S]: S[K] extends Rule<infer T> ? T : never };

/**
 * A file's column rules, applied to rows whose fields come in `columns` order (what readCsvRows yields
 * for `required: columns`). Rules are pure functions of the text, and an export repeats a column's value
 * row after row (a pupil's school, id and week over each word of a test): a value equal to the same
 * column's in the row before is not checked again, its result is reused.
 */
export class RowRules<S extends Record<string, Rule<unknown>>> {
  readonly columns: (keyof S & string)[];
  private readonly rules: Rule<unknown>[];
  private readonly lastRaw: (string | undefined)[];
  private readonly lastValue: unknown[];

  constructor(rules: S) {
    this.columns = Object.keys(rules);
    this.rules = Object.values(rules);
    this.lastRaw = this.rules.map(() => undefined);
    this.lastValue = this.rules.map(() => undefined);
  }

  /** Each column's value; reports every failing column and returns undefined if any failed. */
  parse(row: CsvRow, sink: RejectSink): Parsed<S> | undefined {
    const out: Record<string, unknown> = {};
    let ok = true;
    for (let i = 0; i < this.rules.length; i++) {
      const raw = row.fields[i];
      let value = this.lastValue[i];
      if (raw !== this.lastRaw[i]) {
        value = this.rules[i](raw);
        this.lastRaw[i] = raw;
        this.lastValue[i] = value;
      }
      if (value instanceof Invalid) {
        sink.add({ row: row.row, column: this.columns[i], reason: value.reason });
        ok = false;
      } else out[this.columns[i]] = value;
    }
    return ok ? (out as Parsed<S>) : undefined;
  }
}
