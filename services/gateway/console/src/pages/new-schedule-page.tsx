import { useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { CatchUpRule, JobType } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { MessagePage } from '../components/message-page';
import { FieldError } from '../components/schema-field';
import { PriorityField, TaskFields, useTaskFields } from '../components/task-fields';
import type { FieldErrors } from '../forms/form-values';
import { mapServerErrors } from '../forms/server-errors';
import { navigate } from '../hooks/use-hash-route';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { cronProblem, scheduleFieldOf, timeZones } from '../schedules/schedule-form';
import { TypeChooser } from './new-task-page';

const CRON = 'cron';
const ZONE = 'timezone';
const NAME_ID = 'schedule-name';
const CRON_ID = 'schedule-cron';
const ZONE_ID = 'schedule-zone';
/** The page's own fields after the schema's, in the order errors are focused. */
const PAGE_FIELDS: [string, string][] = [
  [CRON, CRON_ID],
  [ZONE, ZONE_ID],
];

const CATCH_UP_WORDS: Record<CatchUpRule, { label: string; hint: string }> = {
  once: { label: 'Run once to catch up', hint: 'After a time no scheduler ran, the latest missed run happens once, late.' },
  skip: { label: 'Skip missed runs', hint: 'Runs missed while no scheduler ran are recorded as skipped and not made up.' },
};

function CronField({ value, problem, onInput }: { value: string; problem?: string; onInput: (v: string) => void }) {
  return (
    <div class={`field${problem ? ' field-invalid' : ''}`}>
      <label for={CRON_ID}>
        Cron expression<span class="required-mark"> (required)</span>
      </label>
      <p class="hint" id={`${CRON_ID}-hint`}>
        Five fields: minute, hour, day of month, month, day of week (<code>0 7 * * 1-5</code> is 07:00 on weekdays). Add a sixth in front for
        seconds (<code>*/30 * * * * *</code> is every 30 seconds).
      </p>
      <FieldError id={CRON_ID} error={problem} />
      <input
        id={CRON_ID}
        type="text"
        class="mono"
        maxLength={200}
        value={value}
        spellcheck={false}
        autoComplete="off"
        aria-describedby={problem ? `${CRON_ID}-hint ${CRON_ID}-error` : `${CRON_ID}-hint`}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

function ZoneField({ value, problem, onChange }: { value: string; problem?: string; onChange: (v: string) => void }) {
  const zones = useMemo(() => timeZones(value), [value]);
  return (
    <div class={`field${problem ? ' field-invalid' : ''}`}>
      <label for={ZONE_ID}>Time zone</label>
      <p class="hint" id={`${ZONE_ID}-hint`}>
        The expression is read in this zone, so 07:00 stays 07:00 when the clocks change.
      </p>
      <FieldError id={ZONE_ID} error={problem} />
      <select id={ZONE_ID} value={value} aria-describedby={`${ZONE_ID}-hint`} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {zones.map((zone) => (
          <option key={zone} value={zone}>
            {zone.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}

function CatchUpField({ value, onChange }: { value: CatchUpRule; onChange: (v: CatchUpRule) => void }) {
  return (
    <fieldset class="fieldset">
      <legend>Missed runs</legend>
      {(Object.keys(CATCH_UP_WORDS) as CatchUpRule[]).map((rule) => (
        <div class="field field-checkbox" key={rule}>
          <input type="radio" id={`catch-up-${rule}`} name="catch-up" value={rule} checked={value === rule} aria-describedby={`catch-up-${rule}-hint`} onChange={() => onChange(rule)} />
          <label for={`catch-up-${rule}`}>{CATCH_UP_WORDS[rule].label}</label>
          <p class="hint" id={`catch-up-${rule}-hint`}>
            {CATCH_UP_WORDS[rule].hint}
          </p>
        </div>
      ))}
    </fieldset>
  );
}

function ScheduleForm({ jobType }: { jobType: JobType }) {
  const { client } = useSession();
  const heading = useTitleFocus(`New schedule: ${jobType.title}`);
  const form = useTaskFields(jobType);
  const [name, setName] = useState('');
  const [cron, setCron] = useState('');
  const [zone, setZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [catchUp, setCatchUp] = useState<CatchUpRule>('once');
  const [general, setGeneral] = useState<string[]>([]);
  const [apiError, setApiError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const showErrors = (found: FieldErrors): void => form.showErrors(found, PAGE_FIELDS);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setApiError(undefined);
    setGeneral([]);
    const built = form.build();
    const cronError = cronProblem(cron);
    const found: FieldErrors = { ...built.errors, ...(cronError ? { [CRON]: cronError } : {}) };
    if (Object.keys(found).length > 0) return showErrors(found);
    setBusy(true);
    try {
      const created = await client.createSchedule({
        name: name.trim() || undefined,
        cron: cron.trim(),
        timezone: zone,
        catchUp,
        task: {
          type: jobType.type,
          params: built.params,
          title: form.title.trim() || undefined,
          tag: form.tag.trim() || undefined,
          priority: form.priority === 'normal' ? undefined : form.priority,
        },
      });
      navigate(routeHref({ name: 'schedule', id: created.id }));
    } catch (caught) {
      const error = asApiError(caught);
      setApiError(error);
      if (error.code === 'invalid-params') {
        // The schedule's own fields by their path; the rest are the job type's params.
        const own = scheduleFieldOf(error.details, error.message);
        const mapped = own ? { byField: own, general: [] } : mapServerErrors(error.details, form.fields);
        setGeneral(mapped.general);
        showErrors(mapped.byField);
      }
    } finally {
      setBusy(false);
    }
  };

  const errorCount = Object.keys(form.errors).length;
  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'schedules' })}>Schedules</a> › <a href={routeHref({ name: 'new-schedule' })}>New schedule</a> › {jobType.title}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        New schedule: {jobType.title}
      </h1>
      <p>{jobType.description} The task below is submitted at every run of the schedule.</p>
      {apiError && <ErrorBanner error={apiError} extra={general} />}
      {!apiError && errorCount > 0 && (
        <p class="banner banner-error" role="alert">
          {errorCount === 1 ? 'One field needs' : `${errorCount} fields need`} attention before creating the schedule.
        </p>
      )}
      <form class="card task-form" onSubmit={submit} noValidate>
        <h2>When</h2>
        <div class="field">
          <label for={NAME_ID}>
            Name<span class="optional-mark"> (optional)</span>
          </label>
          <p class="hint" id={`${NAME_ID}-hint`}>
            How the schedule shows in your list; empty: the job type and the expression.
          </p>
          <input id={NAME_ID} type="text" maxLength={200} value={name} aria-describedby={`${NAME_ID}-hint`} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <CronField
          value={cron}
          problem={form.errors[CRON]}
          onInput={(v) => {
            setCron(v);
            form.clearError(CRON);
          }}
        />
        <ZoneField
          value={zone}
          problem={form.errors[ZONE]}
          onChange={(v) => {
            setZone(v);
            form.clearError(ZONE);
          }}
        />
        <CatchUpField value={catchUp} onChange={setCatchUp} />
        <h2>What</h2>
        <TaskFields form={form} />
        <PriorityField value={form.priority} onChange={form.setPriority} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create schedule'}
          </button>
          <a class="button secondary" href={routeHref({ name: 'schedules' })}>
            Back to schedules
          </a>
        </div>
      </form>
    </>
  );
}

/** Picks a job type (one without an upload: a schedule cannot bring a file), then its form with the schedule's fields. */
export function NewSchedulePage({ type }: { type?: string }) {
  const { jobTypes } = useSession();
  const schedulable = jobTypes.filter((t) => !t.upload);
  if (!type) {
    return (
      <TypeChooser
        jobTypes={schedulable}
        title="New schedule"
        intro="Choose what the schedule runs. Types that take an uploaded file cannot be scheduled."
        hrefOf={(t) => routeHref({ name: 'new-schedule', type: t })}
      />
    );
  }
  const jobType = schedulable.find((t) => t.type === type);
  if (!jobType) {
    return (
      <MessagePage key={type} title="Cannot schedule this">
        <p>
          “{type}” is not a job type that can be scheduled here. <a href={routeHref({ name: 'new-schedule' })}>Choose one that can.</a>
        </p>
      </MessagePage>
    );
  }
  return <ScheduleForm key={jobType.type} jobType={jobType} />;
}
