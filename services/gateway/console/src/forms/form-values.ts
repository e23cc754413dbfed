import type { Condition, FieldSpec } from './field-spec';

/** What the inputs hold: text for every field but checkboxes. Keyed by field path. */
export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;
/** A message per field path (client-side checks and the server's 400 details alike). */
export type FieldErrors = Record<string, string>;

export interface BuiltParams {
  params: Record<string, unknown>;
  errors: FieldErrors;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function defaultText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The inputs' starting values: the schema's defaults, else empty. */
export function initialValues(fields: FieldSpec[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    if (field.kind === 'object') Object.assign(values, initialValues(field.children ?? []));
    else if (field.kind === 'boolean') values[field.path] = field.defaultValue === true;
    else values[field.path] = defaultText(field.defaultValue);
  }
  return values;
}

type Parsed = { value?: unknown; error?: string };

function parseNumber(text: string, integer: boolean): Parsed {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) return { error: 'Enter a number.' };
  if (integer && !Number.isInteger(value)) return { error: 'Enter a whole number.' };
  return { value };
}

function checkRange(field: FieldSpec, value: number): string | undefined {
  if (field.minimum !== undefined && value < field.minimum) return `Must be at least ${field.minimum}.`;
  if (field.maximum !== undefined && value > field.maximum) return `Must be at most ${field.maximum}.`;
  return undefined;
}

function checkLength(field: FieldSpec, value: string): string | undefined {
  if (field.minLength !== undefined && value.length < field.minLength) return `Enter at least ${field.minLength} characters.`;
  if (field.maxLength !== undefined && value.length > field.maxLength) return `Enter at most ${field.maxLength} characters.`;
  return undefined;
}

function parseList(field: FieldSpec, text: string): Parsed {
  const parts = text.split(/[,\n]/).map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) return {};
  if (field.minItems !== undefined && parts.length < field.minItems) return { error: `Enter at least ${field.minItems}, separated by commas.` };
  if (field.maxItems !== undefined && parts.length > field.maxItems) return { error: `Enter at most ${field.maxItems}.` };
  if (field.itemKind === 'number' || field.itemKind === 'integer') {
    const numbers = parts.map((part) => parseNumber(part, field.itemKind === 'integer'));
    const bad = numbers.find((n) => n.error);
    return bad ? { error: `Every item must be a ${field.itemKind === 'integer' ? 'whole ' : ''}number.` } : { value: numbers.map((n) => n.value) };
  }
  return { value: parts };
}

function parseJson(text: string): Parsed {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: 'Enter valid JSON.' };
  }
}

/** The typed value of one input, or why it is not valid. Empty inputs have no value. */
function parseLeaf(field: FieldSpec, raw: FormValue | undefined): Parsed {
  if (field.kind === 'boolean') return raw === true || field.required ? { value: raw === true } : {};
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return {};
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const parsed = parseNumber(text, field.kind === 'integer');
      const error = parsed.error ?? checkRange(field, parsed.value as number);
      return error ? { error } : parsed;
    }
    case 'enum': {
      const match = (field.options ?? []).find((option) => String(option) === text);
      return match === undefined ? { error: 'Choose one of the options.' } : { value: match };
    }
    case 'date':
      return DATE.test(text) ? { value: text } : { error: 'Enter a whole date: day, month and year.' };
    case 'string-list':
      return parseList(field, text);
    case 'json':
      return parseJson(text);
    default: {
      const error = checkLength(field, text);
      return error ? { error } : { value: text };
    }
  }
}

function conditionHolds(condition: Condition, parsed: Map<string, unknown>): boolean {
  return Object.entries(condition).every(([path, expected]) => parsed.get(path) === expected);
}

export function isRequired(field: FieldSpec, parsed: Map<string, unknown>): boolean {
  return field.required || field.requiredWhen.some((condition) => conditionHolds(condition, parsed));
}

/** Parses every leaf into `parsed` (by path), recording type and range errors. */
function parseAll(fields: FieldSpec[], values: FormValues, parsed: Map<string, unknown>, errors: FieldErrors): void {
  for (const field of fields) {
    if (field.kind === 'object') {
      parseAll(field.children ?? [], values, parsed, errors);
      continue;
    }
    const result = parseLeaf(field, values[field.path]);
    if (result.error) errors[field.path] = result.error;
    else if (result.value !== undefined) parsed.set(field.path, result.value);
  }
}

function hasAnyValue(field: FieldSpec, parsed: Map<string, unknown>, errors: FieldErrors): boolean {
  return [...parsed.keys(), ...Object.keys(errors)].some((path) => path.startsWith(`${field.path}/`));
}

/** Builds one object level, checking required fields (an optional object left empty is left out, unchecked). */
function assemble(fields: FieldSpec[], parsed: Map<string, unknown>, errors: FieldErrors): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'object') {
      if (!field.required && !hasAnyValue(field, parsed, errors)) continue;
      result[field.name] = assemble(field.children ?? [], parsed, errors);
    } else if (parsed.has(field.path)) {
      result[field.name] = parsed.get(field.path);
    } else if (!errors[field.path] && isRequired(field, parsed)) {
      errors[field.path] = field.kind === 'string-list' ? 'Required: enter at least one, separated by commas.' : 'Required.';
    }
  }
  return result;
}

/** The `params` the inputs describe, and a message for each field that is missing or not valid. */
export function buildParams(fields: FieldSpec[], values: FormValues): BuiltParams {
  const parsed = new Map<string, unknown>();
  const errors: FieldErrors = {};
  parseAll(fields, values, parsed, errors);
  const params = assemble(fields, parsed, errors);
  return { params, errors };
}

/** Paths of the fields required given what is entered now (so `classId` shows as required once scope is `class`). */
export function requiredPaths(fields: FieldSpec[], values: FormValues): Set<string> {
  const parsed = new Map<string, unknown>();
  parseAll(fields, values, parsed, {});
  const flat = (list: FieldSpec[]): FieldSpec[] => list.flatMap((f) => [f, ...flat(f.children ?? [])]);
  return new Set(flat(fields).filter((field) => isRequired(field, parsed)).map((field) => field.path));
}
