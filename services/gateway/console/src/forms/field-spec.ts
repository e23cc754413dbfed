/** One input of a generated form, derived from a JSON Schema property. */
export type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'date' | 'string-list' | 'object' | 'json';

/** Equalities that must all hold, keyed by field path, for a conditional requirement to apply. */
export type Condition = Record<string, unknown>;

export interface FieldSpec {
  /** JSON Pointer of the value inside `params`, e.g. `/batchFilters/ids`; also the key of its error. */
  path: string;
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  /** Required also when any of these conditions holds (from the schema's `if`/`then`). */
  requiredWhen: Condition[];
  /** The enum's values, for `enum` fields (and the item type of lists). */
  options?: unknown[];
  /** What each option reads as, in the order of `options` (the value itself when the schema names none). */
  optionLabels?: string[];
  /** For `string-list`: how each comma-separated item is typed. */
  itemKind?: 'text' | 'number' | 'integer';
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  defaultValue?: unknown;
  /** Nested fields, for `object` fields (rendered as a fieldset). */
  children?: FieldSpec[];
}

/** Every field of a tree, parents before their children. */
export function flattenFields(fields: FieldSpec[]): FieldSpec[] {
  return fields.flatMap((field) => [field, ...flattenFields(field.children ?? [])]);
}
