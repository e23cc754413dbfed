import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { JobType } from '../api/api-types';
import { uploadTask, type UploadHandle } from '../api/upload-task';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { MessagePage } from '../components/message-page';
import { WorkflowChooser } from './new-workflow-page';
import { ProgressBar } from '../components/progress-bar';
import { PriorityField, TaskFields, useTaskFields } from '../components/task-fields';
import { ZipPicker } from '../components/zip-picker';
import { formatSpan } from '../format/format';
import type { FieldErrors } from '../forms/form-values';
import { navigate } from '../hooks/use-hash-route';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { zipProblem } from '../tasks/zip-check';

/** Refusals that concern the uploaded file: the server's words go beside the file picker. */
const FILE_ERRORS = ['invalid-zip', 'upload-too-large'];

const asSentence = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

/** The job types to choose from, each a link to its form (new tasks, and new schedules of tasks). */
export function TypeChooser({ jobTypes, title, intro, hrefOf, children }: { jobTypes: JobType[]; title: string; intro: string; hrefOf: (type: string) => string; children?: ComponentChildren }) {
  const heading = useTitleFocus(title);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      <p class="muted">{intro}</p>
      <ul class="type-list">
        {jobTypes.map((jobType) => (
          <li key={jobType.type} class="card">
            <h2>
              <a href={hrefOf(jobType.type)}>{jobType.title}</a>
            </h2>
            <p>{jobType.description}</p>
          </li>
        ))}
      </ul>
      {children}
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

function StartAtField(props: { startAt: string; problem?: string; onStartAt: (v: string) => void }) {
  const described = props.problem ? 'task-start-hint task-start-error' : 'task-start-hint';
  return (
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
  );
}

/** The page's own fields after the schema's, in the order errors are focused. */
const PAGE_FIELDS: [string, string][] = [
  ['zip', 'zip-file'],
  [START_AT, 'task-start'],
];

function TaskForm({ jobType }: { jobType: JobType }) {
  const { client } = useSession();
  const heading = useTitleFocus(`New ${jobType.title}`);
  const form = useTaskFields(jobType);
  const { errors, showErrors: show } = form;
  const [startAt, setStartAt] = useState('');
  const [file, setFile] = useState<File>();
  const [general, setGeneral] = useState<string[]>([]);
  const [apiError, setApiError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [uploaded, setUploaded] = useState<number>();
  const upload = useRef<UploadHandle | undefined>(undefined);

  const onFile = (picked: File | undefined): void => {
    setFile(picked);
    form.clearError('zip');
  };
  const showErrors = (found: FieldErrors): void => show(found, PAGE_FIELDS);

  const send = async (params: Record<string, unknown>): Promise<string> => {
    const task = {
      type: jobType.type,
      title: form.title.trim() || undefined,
      tag: form.tag.trim() || undefined,
      params,
      runAt: startAt ? new Date(startAt).toISOString() : undefined,
      priority: form.priority === 'normal' ? undefined : form.priority,
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
    const built = form.build();
    const zip = jobType.upload ? (file ? zipProblem(file, jobType.upload) : 'Choose a zip file to import.') : undefined;
    const found: FieldErrors = { ...built.errors, ...(zip ? { zip } : {}), ...startProblem(startAt) };
    if (Object.keys(found).length > 0) return showErrors(found);
    setBusy(true);
    try {
      navigate(routeHref({ name: 'task', id: await send(built.params) }));
    } catch (caught) {
      const error = asApiError(caught);
      setApiError(error);
      setGeneral(form.showRefusal(error));
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
        <TaskFields form={form} />
        <StartAtField
          startAt={startAt}
          problem={errors[START_AT]}
          onStartAt={(v) => {
            setStartAt(v);
            form.clearError(START_AT);
          }}
        />
        <PriorityField value={form.priority} onChange={form.setPriority} />
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
  if (!type) {
    return (
      <TypeChooser
        jobTypes={jobTypes}
        title="New task"
        intro="Choose what to run. Each task runs in the background; you can leave the page and come back to it."
        hrefOf={(t) => routeHref({ name: 'new', type: t })}
      >
        <WorkflowChooser />
      </TypeChooser>
    );
  }
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
