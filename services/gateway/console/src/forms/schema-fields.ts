import type { JsonSchema } from '../api/api-types';
import { fieldLabel } from './field-label';
import type { Condition, FieldKind, FieldSpec } from './field-spec';

export interface SchemaFieldOptions {
  /** Top-level properties the user never fills (e.g. `uploadKey`, set by the gateway from the upload). */
  hide?: string[];
}

function schemaType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.type;
}

function isStringLike(schema: JsonSchema | undefined): boolean {
  return !!schema && (schemaType(schema) === 'string' || schemaType(schema) === 'number' || schemaType(schema) === 'integer');
}

function itemKindOf(items: JsonSchema): FieldSpec['itemKind'] {
  const type = schemaType(items);
  return type === 'number' || type === 'integer' ? type : 'text';
}

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.enum && schema.enum.length > 0) return 'enum';
  switch (schemaType(schema)) {
    case 'string':
      return schema.format === 'date' ? 'date' : 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return schema.properties ? 'object' : 'json';
    case 'array':
      return isStringLike(schema.items) && !schema.items?.enum ? 'string-list' : 'json';
    default:
      return 'json';
  }
}

/** `if: {properties: {scope: {const: 'class'}}}` → `{'/scope': 'class'}`; undefined when the `if` is of another shape. */
function conditionOf(ifSchema: JsonSchema, basePath: string): Condition | undefined {
  const entries = Object.entries(ifSchema.properties ?? {});
  if (entries.length === 0) return undefined;
  const condition: Condition = {};
  for (const [name, sub] of entries) {
    if ('const' in sub) condition[`${basePath}/${name}`] = sub.const;
    else if (sub.enum?.length === 1) condition[`${basePath}/${name}`] = sub.enum[0];
    else return undefined;
  }
  return condition;
}

/** Conditional requirements of an object schema (its own `if`/`then` and those inside `allOf`), by property name. */
function conditionalRequirements(schema: JsonSchema, basePath: string): Map<string, Condition[]> {
  const result = new Map<string, Condition[]>();
  const clauses = [schema, ...(schema.allOf ?? [])].filter((s) => s.if && s.then?.required);
  for (const clause of clauses) {
    const condition = conditionOf(clause.if as JsonSchema, basePath);
    if (!condition) continue;
    for (const name of clause.then?.required ?? []) result.set(name, [...(result.get(name) ?? []), condition]);
  }
  return result;
}

function fieldOf(name: string, schema: JsonSchema, basePath: string, required: boolean, requiredWhen: Condition[]): FieldSpec {
  const path = `${basePath}/${name}`;
  const kind = kindOf(schema);
  const field: FieldSpec = {
    path,
    name,
    label: schema.title ?? fieldLabel(name),
    description: schema.description,
    kind,
    required,
    requiredWhen,
    options: schema.enum,
    optionLabels: schema.enum?.map((value, i) => schema['x-enumNames']?.[i] ?? String(value)),
    minimum: schema.minimum,
    maximum: schema.maximum,
    minLength: schema.minLength,
    maxLength: schema.maxLength,
    minItems: schema.minItems,
    maxItems: schema.maxItems,
    defaultValue: schema.default,
  };
  if (kind === 'string-list' && schema.items) field.itemKind = itemKindOf(schema.items);
  if (kind === 'object') field.children = fieldsOfObject(schema, path);
  return field;
}

function fieldsOfObject(schema: JsonSchema, basePath: string, hide: string[] = []): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  const conditional = conditionalRequirements(schema, basePath);
  return Object.entries(schema.properties ?? {})
    .filter(([name, sub]) => !hide.includes(name) && !sub.readOnly)
    .map(([name, sub]) => fieldOf(name, sub, basePath, required.has(name), conditional.get(name) ?? []));
}

/** The form fields of a job type's `paramsSchema`, in the schema's property order. */
export function schemaFields(schema: JsonSchema, options: SchemaFieldOptions = {}): FieldSpec[] {
  return fieldsOfObject(schema, '', options.hide);
}
