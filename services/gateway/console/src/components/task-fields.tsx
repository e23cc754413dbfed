import { useMemo, useState } from 'preact/hooks';
import type { TaskPriority } from '@taskyard/contracts';
import type { ApiError } from '../api/api-error';
import type { JobType } from '../api/api-types';
import { mapServerErrors } from '../forms/server-errors';
import { flattenFields } from '../forms/field-spec';
import type { FieldSpec } from '../forms/field-spec';
import { buildParams, initialValues, requiredPaths, type BuiltParams, type FieldErrors, type FormValue, type FormValues } from '../forms/form-values';
import { schemaFields } from '../forms/schema-fields';
import { fieldId, SchemaField } from './schema-field';

/** Params the gateway fills in itself from the upload: never asked of the user. */
const UPLOAD_SET_PARAMS = ['uploadKey', 'fileName'];

export const PRIORITY_WORDS: Record<TaskPriority, string> = {
  normal: 'Normal',
  high: 'High: ahead of normal',
  low: 'Low: after normal',
};

/** The state of a job type's task form: its schema's fields, title, tag and priority, and their errors. */
export interface TaskFieldsState {
  fields: FieldSpec[];
  values: FormValues;
  required: Set<string>;
  errors: FieldErrors;
  title: string;
  tag: string;
  priority: TaskPriority;
  onChange: (path: string, value: FormValue) => void;
  setTitle: (v: string) => void;
  setTag: (v: string) => void;
  setPriority: (p: TaskPriority) => void;
  clearError: (path: string) => void;
  /** Shows errors and focuses the first: the schema's fields first, then `after` (the page's own fields, path → element id). */
  showErrors: (found: FieldErrors, after?: [path: string, elementId: string][]) => void;
  build: () => BuiltParams;
  /** A refused submit: an `invalid-params` answer's errors shown on their fields; the ones of no field returned. */
  showRefusal: (error: ApiError) => string[];
}

/** One job type's task form, as the new-task, new-schedule and new-workflow pages ask it (`hide`: params not asked). */
export function useTaskFields(jobType: JobType, hide: string[] = []): TaskFieldsState {
  const fields = useMemo(() => schemaFields(jobType.paramsSchema, { hide: [...(jobType.upload ? UPLOAD_SET_PARAMS : []), ...hide] }), [jobType, hide.join()]);
  const [values, setValues] = useState(() => initialValues(fields));
  const [title, setTitle] = useState('');
  const [tag, setTag] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('normal');
  const [errors, setErrors] = useState<FieldErrors>({});
  const required = useMemo(() => requiredPaths(fields, values), [fields, values]);
  const clearError = (path: string): void => setErrors(({ [path]: _cleared, ...rest }) => rest);
  const showErrors = (found: FieldErrors, after: [string, string][] = []): void => {
    setErrors(found);
    const order: [string, string][] = [...flattenFields(fields).map((f): [string, string] => [f.path, fieldId(f.path)]), ...after];
    const first = order.find(([path]) => found[path]);
    // After the render that shows the errors.
    if (first) setTimeout(() => document.getElementById(first[1])?.focus(), 0);
  };
  return {
    fields,
    values,
    required,
    errors,
    title,
    tag,
    priority,
    setTitle,
    setTag,
    setPriority,
    clearError,
    onChange: (path, value) => {
      setValues((old) => ({ ...old, [path]: value }));
      clearError(path);
    },
    showErrors,
    build: () => buildParams(fields, values),
    showRefusal: (error) => {
      if (error.code !== 'invalid-params') return [];
      const mapped = mapServerErrors(error.details, fields);
      showErrors(mapped.byField);
      return mapped.general;
    },
  };
}

function TextField({ id, label, hint, value, onInput }: { id: string; label: string; hint: string; value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for={id}>
        {label}
        <span class="optional-mark"> (optional)</span>
      </label>
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
      <input id={id} type="text" maxLength={id === 'task-title' ? 200 : 100} value={value} aria-describedby={`${id}-hint`} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
    </div>
  );
}

/** The job type's own fields (generated from its schema), then title and tag. */
export function TaskFields({ form }: { form: TaskFieldsState }) {
  return (
    <>
      {form.fields.map((field) => (
        <SchemaField key={field.path} field={field} values={form.values} errors={form.errors} required={form.required} onChange={form.onChange} />
      ))}
      <TextField id="task-title" label="Title" hint="A name to find this task by in your list." value={form.title} onInput={form.setTitle} />
      <TextField id="task-tag" label="Tag" hint="Groups related tasks, e.g. a class or a term; your task list can filter by it." value={form.tag} onInput={form.setTag} />
    </>
  );
}

export function PriorityField({ value, onChange }: { value: TaskPriority; onChange: (p: TaskPriority) => void }) {
  return (
    <div class="field">
      <label for="task-priority">Priority</label>
      <p class="hint" id="task-priority-hint">
        Decides which waiting task of this kind starts first.
      </p>
      <select id="task-priority" value={value} aria-describedby="task-priority-hint" onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as TaskPriority)}>
        {(Object.keys(PRIORITY_WORDS) as TaskPriority[]).map((p) => (
          <option key={p} value={p}>
            {PRIORITY_WORDS[p]}
          </option>
        ))}
      </select>
    </div>
  );
}
