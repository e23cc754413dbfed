import { useMemo, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { TaskPriority } from '@taskyard/contracts';
import type { JobType } from '../api/api-types';
import { uploadTask, type UploadHandle } from '../api/upload-task';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { MessagePage } from '../components/message-page';
import { ProgressBar } from '../components/progress-bar';
import { fieldId, SchemaField } from '../components/schema-field';
import { ZipPicker } from '../components/zip-picker';
import { formatSpan } from '../format/format';
import { flattenFields } from '../forms/field-spec';
import { buildParams, initialValues, requiredPaths, type FieldErrors, type FormValue } from '../forms/form-values';
import { schemaFields } from '../forms/schema-fields';
import { mapServerErrors } from '../forms/server-errors';
import { navigate } from '../hooks/use-hash-route';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { zipProblem } from '../tasks/zip-check';

/** Refusals that concern the uploaded file: the server's words go beside the file picker. */
const FILE_ERRORS = ['invalid-zip', 'upload-too-large'];

const asSentence = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

/** Params the gateway fills in itself from the upload: never asked of the user. */
const UPLOAD_SET_PARAMS = ['uploadKey', 'fileName'];

function TypeChooser({ jobTypes }: { jobTypes: JobType[] }) {
  const heading = useTitleFocus('New task');
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        New task
      </h1>
      <p class="muted">Choose what to run. Each task runs in the background; you can leave the page and come back to it.</p>
      <ul class="type-list">
        {jobTypes.map((jobType) => (
          <li key={jobType.type} class="card">
            <h2>
              <a href={routeHref({ name: 'new', type: jobType.type })}>{jobType.title}</a>
            </h2>
            <p>{jobType.description}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

function LimitsNote({ jobType }: { jobType: JobType }) {
  const { limits } = jobType;
  return (
    <p class="muted small">
      {limits.unfinishedPerOwner > 0 ? `You can have up to ${limits.unfinishedPerOwner} unfinished ${jobType.title.toLowerCase()} tasks at once. ` : ''}Each runs for at most{' '}
      {formatSpan(limits.timeoutMs)}, with up to {limits.maxAttempts} attempts; its files are kept for {formatSpan(limits.retentionMs)}.
    </p>
  );
}

const START_AT = 'startAt';
/** The longest a start may wait: the server's 30 days. */
const MAX_WAIT_MS = 30 * 24 * 3600 * 1000;

/** A start time the server would refuse, said before sending; none when it is empty (start at once). */
function startProblem(value: string): FieldErrors {
  if (!value) return {};
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return { [START_AT]: 'Enter a date and a time, or leave it empty to start now.' };
  if (at > Date.now() + MAX_WAIT_MS) return { [START_AT]: 'Choose a time within the next 30 days.' };
  return {};
}

const PRIORITY_WORDS: Record<TaskPriority, string> = {
  normal: 'Normal',
  high: 'High: ahead of normal',
  low: 'Low: after normal',
};

function WhenFields(props: { startAt: string; priority: TaskPriority; problem?: string; onStartAt: (v: string) => void; onPriority: (p: TaskPriority) => void }) {
  const described = props.problem ? 'task-start-hint task-start-error' : 'task-start-hint';
  return (
    <>
      <div class="field">
        <label for="task-start">
          Start at<span class="optional-mark"> (optional)</span>
        </label>
        <p class="hint" id="task-start-hint">
          Leave empty to start as soon as possible. A later time keeps the task waiting until then (up to 30 days ahead).
        </p>
        <input
          id="task-start"
          type="datetime-local"
          value={props.startAt}
          aria-describedby={described}
          aria-invalid={props.problem ? true : undefined}
          onInput={(e) => props.onStartAt((e.currentTarget as HTMLInputElement).value)}
        />
        {props.problem && (
          <p class="field-error" id="task-start-error">
            {props.problem}
          </p>
        )}
      </div>
      <div class="field">
        <label for="task-priority">Priority</label>
        <p class="hint" id="task-priority-hint">
          Decides which waiting task of this kind starts first.
        </p>
        <select id="task-priority" value={props.priority} aria-describedby="task-priority-hint" onChange={(e) => props.onPriority((e.currentTarget as HTMLSelectElement).value as TaskPriority)}>
          {(Object.keys(PRIORITY_WORDS) as TaskPriority[]).map((p) => (
            <option key={p} value={p}>
              {PRIORITY_WORDS[p]}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

function focusField(path: string): void {
  // After the render that shows the errors.
  const id = path === 'zip' ? 'zip-file' : path === START_AT ? 'task-start' : fieldId(path);
  setTimeout(() => document.getElementById(id)?.focus(), 0);
}

function TaskForm({ jobType }: { jobType: JobType }) {
  const { client } = useSession();
  const heading = useTitleFocus(`New ${jobType.title}`);
  const fields = useMemo(() => schemaFields(jobType.paramsSchema, { hide: jobType.upload ? UPLOAD_SET_PARAMS : [] }), [jobType]);
  const [values, setValues] = useState(() => initialValues(fields));
  const [title, setTitle] = useState('');
  const [tag, setTag] = useState('');
  const [startAt, setStartAt] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('normal');
  const [file, setFile] = useState<File>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [apiError, setApiError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [uploaded, setUploaded] = useState<number>();
  const upload = useRef<UploadHandle | undefined>(undefined);
  const required = useMemo(() => requiredPaths(fields, values), [fields, values]);

  const onChange = (path: string, value: FormValue): void => {
    setValues((old) => ({ ...old, [path]: value }));
    setErrors(({ [path]: _cleared, ...rest }) => rest);
  };
  const onFile = (picked: File | undefined): void => {
    setFile(picked);
    setErrors(({ zip: _cleared, ...rest }) => rest);
  };

  const showErrors = (found: FieldErrors): void => {
    setErrors(found);
    const first = [...flattenFields(fields).map((f) => f.path), 'zip', START_AT].find((path) => found[path]);
    if (first) focusField(first);
  };

  const send = async (params: Record<string, unknown>): Promise<string> => {
    const task = {
      type: jobType.type,
      title: title.trim() || undefined,
      tag: tag.trim() || undefined,
      params,
      runAt: startAt ? new Date(startAt).toISOString() : undefined,
      priority: priority === 'normal' ? undefined : priority,
    };
    if (!jobType.upload || !file) return (await client.submit(task)).id;
    setUploaded(0);
    upload.current = uploadTask(client.key, task, file, setUploaded);
    return (await upload.current.done).id;
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setApiError(undefined);
    setGeneral([]);
    const built = buildParams(fields, values);
    const zip = jobType.upload ? (file ? zipProblem(file, jobType.upload) : 'Choose a zip file to import.') : undefined;
    const found: FieldErrors = { ...built.errors, ...(zip ? { zip } : {}), ...startProblem(startAt) };
    if (Object.keys(found).length > 0) return showErrors(found);
    setBusy(true);
    try {
      navigate(routeHref({ name: 'task', id: await send(built.params) }));
    } catch (caught) {
      const error = asApiError(caught);
      setApiError(error);
      if (error.code === 'invalid-params') {
        const mapped = mapServerErrors(error.details, fields);
        setGeneral(mapped.general);
        showErrors(mapped.byField);
      }
      if (FILE_ERRORS.includes(error.code)) showErrors({ zip: asSentence(error.message) });
    } finally {
      setBusy(false);
      setUploaded(undefined);
    }
  };

  const errorCount = Object.keys(errors).length;
  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'new' })}>New task</a> › {jobType.title}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {jobType.title}
      </h1>
      <p>{jobType.description}</p>
      <LimitsNote jobType={jobType} />
      {apiError && <ErrorBanner error={apiError} extra={general} hideDetail={FILE_ERRORS.includes(apiError.code)} />}
      {apiError?.code === 'quota-exceeded' && (
        <p>
          <a href={routeHref({ name: 'tasks', type: jobType.type })}>See your {jobType.title.toLowerCase()} tasks</a>
        </p>
      )}
      {!apiError && errorCount > 0 && (
        <p class="banner banner-error" role="alert">
          {errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} attention before submitting.
        </p>
      )}
      <form class="card task-form" onSubmit={submit} noValidate>
        {jobType.upload && <ZipPicker file={file} problem={errors.zip} limits={jobType.upload} disabled={busy} onFile={onFile} />}
        {fields.map((field) => (
          <SchemaField key={field.path} field={field} values={values} errors={errors} required={required} onChange={onChange} />
        ))}
        <div class="field">
          <label for="task-title">
            Title<span class="optional-mark"> (optional)</span>
          </label>
          <p class="hint" id="task-title-hint">
            A name to find this task by in your list.
          </p>
          <input id="task-title" type="text" maxLength={200} value={title} aria-describedby="task-title-hint" onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="task-tag">
            Tag<span class="optional-mark"> (optional)</span>
          </label>
          <p class="hint" id="task-tag-hint">
            Groups related tasks, e.g. a class or a term; your task list can filter by it.
          </p>
          <input id="task-tag" type="text" maxLength={100} value={tag} aria-describedby="task-tag-hint" onInput={(e) => setTag((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <WhenFields startAt={startAt} priority={priority} problem={errors[START_AT]} onStartAt={(v) => { setStartAt(v); setErrors(({ [START_AT]: _c, ...rest }) => rest); }} onPriority={setPriority} />
        {uploaded !== undefined && <ProgressBar value={uploaded * 100} label="Upload progress" />}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? (uploaded !== undefined ? 'Uploading…' : 'Submitting…') : jobType.upload ? 'Upload and import' : 'Submit'}
          </button>
          {busy && upload.current && (
            <button type="button" class="button secondary" onClick={() => upload.current?.abort()}>
              Stop upload
            </button>
          )}
        </div>
      </form>
    </>
  );
}

/** Picks a job type, then shows the form generated from its schema. */
export function NewTaskPage({ type }: { type?: string }) {
  const { jobTypes } = useSession();
  if (!type) return <TypeChooser jobTypes={jobTypes} />;
  const jobType = jobTypes.find((t) => t.type === type);
  if (!jobType) {
    return (
      <MessagePage key={type} title="Unknown job type">
        <p>
          There is no job type “{type}” on this server. <a href={routeHref({ name: 'new' })}>Choose one of the available types.</a>
        </p>
      </MessagePage>
    );
  }
  return <TaskForm key={jobType.type} jobType={jobType} />;
}
