import type { FieldSpec } from '../forms/field-spec';
import type { FieldErrors, FormValue, FormValues } from '../forms/form-values';

export interface SchemaFieldProps {
  field: FieldSpec;
  values: FormValues;
  errors: FieldErrors;
  /** Fields required given the current input (the schema's conditional requirements included). */
  required: Set<string>;
  onChange: (path: string, value: FormValue) => void;
}

/** The element id of a field's input, for labels, error links and focus. */
export const fieldId = (path: string): string => `field${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

function describedBy(id: string, field: FieldSpec, error?: string): string | undefined {
  const ids = [field.description || field.kind === 'string-list' ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Hint({ id, field }: { id: string; field: FieldSpec }) {
  const listHint = field.kind === 'string-list' ? 'Separate several with commas.' : '';
  const text = [field.description, listHint].filter(Boolean).join(' ');
  return text ? (
    <p class="hint" id={`${id}-hint`}>
      {text}
    </p>
  ) : null;
}

/** A field's error under its label, `<id>-error` for the input's aria-describedby. */
export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}

function RequiredMark({ on }: { on: boolean }) {
  return on ? <span class="required-mark"> (required)</span> : <span class="optional-mark"> (optional)</span>;
}

function Control({ id, field, value, error, isRequired, onChange }: { id: string; field: FieldSpec; value: FormValue | undefined; error?: string; isRequired: boolean; onChange: SchemaFieldProps['onChange'] }) {
  const common = {
    id,
    name: field.path,
    required: isRequired,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(id, field, error),
  };
  const text = typeof value === 'string' ? value : '';
  const onText = (event: Event): void => onChange(field.path, (event.currentTarget as HTMLInputElement).value);
  if (field.kind === 'enum') {
    return (
      <select {...common} value={text} onChange={onText}>
        <option value="">Choose…</option>
        {(field.options ?? []).map((option, i) => (
          <option key={String(option)} value={String(option)}>
            {field.optionLabels?.[i] ?? String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field.kind === 'json') return <textarea {...common} rows={3} value={text} onInput={onText} spellcheck={false} />;
  // Preact's input types are a union keyed by `type`, so each kind of input is written out.
  if (field.kind === 'date') return <input {...common} type="date" value={text} onInput={onText} />;
  if (field.kind === 'integer' || field.kind === 'number') {
    const integer = field.kind === 'integer';
    return (
      <input
        {...common}
        type="number"
        value={text}
        onInput={onText}
        min={field.minimum}
        max={field.maximum}
        step={integer ? 1 : 'any'}
        inputMode={integer ? 'numeric' : 'decimal'}
      />
    );
  }
  return <input {...common} type="text" value={text} onInput={onText} maxLength={field.maxLength} autoComplete="off" />;
}

function Checkbox({ field, values, errors, onChange }: SchemaFieldProps) {
  const id = fieldId(field.path);
  const error = errors[field.path];
  return (
    <div class="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={values[field.path] === true}
        aria-describedby={describedBy(id, field, error)}
        onChange={(event) => onChange(field.path, (event.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{field.label}</label>
      <Hint id={id} field={field} />
      <FieldError id={id} error={error} />
    </div>
  );
}

/** One generated input with its label, hint and error; an object becomes a fieldset of its properties. */
export function SchemaField(props: SchemaFieldProps) {
  const { field, values, errors, required, onChange } = props;
  const id = fieldId(field.path);
  if (field.kind === 'boolean') return <Checkbox {...props} />;
  if (field.kind === 'object') {
    return (
      <fieldset class="fieldset" id={id} aria-describedby={describedBy(id, field, errors[field.path])}>
        <legend>
          {field.label}
          <RequiredMark on={required.has(field.path)} />
        </legend>
        <Hint id={id} field={field} />
        <FieldError id={id} error={errors[field.path]} />
        {(field.children ?? []).map((child) => (
          <SchemaField key={child.path} {...props} field={child} />
        ))}
      </fieldset>
    );
  }
  const isRequired = required.has(field.path);
  return (
    <div class={`field${errors[field.path] ? ' field-invalid' : ''}`}>
      <label for={id}>
        {field.label}
        <RequiredMark on={isRequired} />
      </label>
      <Hint id={id} field={field} />
      <FieldError id={id} error={errors[field.path]} />
      <Control id={id} field={field} value={values[field.path]} error={errors[field.path]} isRequired={isRequired} onChange={onChange} />
    </div>
  );
}
