import type { FieldSpec } from './field-spec';
import { flattenFields } from './field-spec';
import type { FieldErrors } from './form-values';

/** One Ajv error as the gateway returns it in `details` of an `invalid-params` answer. */
interface AjvError {
  instancePath?: string;
  /** Ajv before v7 named it dataPath. */
  dataPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

export interface MappedServerErrors {
  byField: FieldErrors;
  /** Errors that belong to no single field of the form, already phrased for a person. */
  general: string[];
}

function ajvErrorsOf(details: unknown): AjvError[] {
  const list = Array.isArray(details) ? details : (details as { errors?: unknown } | null)?.errors;
  return Array.isArray(list) ? list.filter((e): e is AjvError => typeof e === 'object' && e !== null) : [];
}

/** The path the error is about: for `required`, the missing property itself rather than its parent. */
function errorPath(error: AjvError): string {
  const base = (error.instancePath ?? error.dataPath ?? '').replace(/^\./, '/').replace(/\./g, '/');
  if (error.keyword === 'required' && typeof error.params?.missingProperty === 'string') return `${base}/${error.params.missingProperty}`;
  return base;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return 'Not valid.';
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function messageOf(error: AjvError): string {
  if (error.keyword === 'required') return 'Required.';
  if (error.keyword === 'format' && error.params?.format === 'date') return 'Enter a whole date: day, month and year.';
  return sentence(error.message ?? 'not valid');
}

/** The field an error path belongs to: the field itself, or the nearest field above it (`/ids/0` → `/ids`). */
function owningField(path: string, fields: FieldSpec[]): FieldSpec | undefined {
  return fields
    .filter((field) => path === field.path || path.startsWith(`${field.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

function generalMessage(error: AjvError, path: string): string {
  if (error.keyword === 'additionalProperties' && typeof error.params?.additionalProperty === 'string') {
    return `Unknown field "${error.params.additionalProperty}"${path ? ` in ${path}` : ''}.`;
  }
  return path ? `${path}: ${messageOf(error)}` : messageOf(error);
}

/** Sorts the server's Ajv errors onto the form's fields; the first error of a field wins. */
export function mapServerErrors(details: unknown, fields: FieldSpec[]): MappedServerErrors {
  const flat = flattenFields(fields);
  const errors = ajvErrorsOf(details);
  // `if` errors only say "must match then schema"; the `required` error beside them names the field.
  const useful = errors.some((e) => e.keyword !== 'if') ? errors.filter((e) => e.keyword !== 'if') : errors;
  const result: MappedServerErrors = { byField: {}, general: [] };
  for (const error of useful) {
    const path = errorPath(error);
    const field = error.keyword === 'additionalProperties' ? undefined : owningField(path, flat);
    if (field) result.byField[field.path] ??= messageOf(error);
    else result.general.push(generalMessage(error, path));
  }
  return result;
}
