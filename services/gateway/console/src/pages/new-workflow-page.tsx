import { useMemo, useState } from 'preact/hooks';
import type { WorkflowDefinition } from '@taskyard/contracts';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { JobType } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { MessagePage } from '../components/message-page';
import { TaskFields, useTaskFields } from '../components/task-fields';
import { WorkflowGraph } from '../components/workflow-graph';
import { useAsync } from '../hooks/use-async';
import { navigate } from '../hooks/use-hash-route';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { previewStages, stagesInWords, unreachableParams } from '../tasks/stage-display';

const noChildren = (): void => undefined;

/** The declared workflows as links to their forms (under the job types on the new-task page). */
export function WorkflowChooser() {
  const { client } = useSession();
  const defs = useAsync(() => client.workflowDefinitions(), [client]);
  if (defs.error) return <ErrorBanner error={defs.error} onRetry={defs.reload} />;
  if (!defs.data) return <Loading what="the workflows" />;
  // One whose first stage fans out takes an array the form cannot ask for (and some, like the assessment
  // report's batches, are continued by a task rather than started): those start through the API.
  const startable = defs.data.filter((def) => def.stages[0].kind !== 'fan-out');
  if (startable.length === 0) return null;
  return (
    <section aria-labelledby="workflows-heading" class="workflow-choices">
      <h2 id="workflows-heading">Workflows</h2>
      <p class="muted">Several jobs one after another, started together and followed as one.</p>
      <ul class="type-list">
        {startable.map((def) => (
          <li key={def.name} class="card">
            <h3>
              <a href={routeHref({ name: 'new-workflow', workflow: def.name })}>{def.title ?? def.name}</a>
            </h3>
            {def.description && <p>{def.description}</p>}
            <p class="muted small">{stagesInWords(def)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The form of a workflow whose first stage is a task: that job type's form, less what the workflow fixes itself. */
function WorkflowForm({ def, jobType }: { def: WorkflowDefinition; jobType: JobType }) {
  const { client } = useSession();
  const first = def.stages[0];
  const hide = useMemo(() => unreachableParams(first, Object.keys(jobType.paramsSchema.properties ?? {})), [first, jobType]);
  const form = useTaskFields(jobType, hide);
  const [apiError, setApiError] = useState<ApiError>();
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setApiError(undefined);
    setGeneral([]);
    const built = form.build();
    if (Object.keys(built.errors).length > 0) return form.showErrors(built.errors);
    setBusy(true);
    try {
      const started = await client.submitWorkflow({ workflow: def.name, params: built.params, title: form.title.trim() || undefined, tag: form.tag.trim() || undefined });
      navigate(routeHref({ name: 'workflow', id: started.id }));
    } catch (caught) {
      const error = asApiError(caught);
      setApiError(error);
      setGeneral(form.showRefusal(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {apiError && <ErrorBanner error={apiError} extra={general} />}
      <form class="card task-form" onSubmit={submit} noValidate aria-label={`Start ${def.title ?? def.name}`}>
        <p class="muted small">
          These go to its first stage, {first.name} ({jobType.title}); each later stage gets what the one before it returns.
        </p>
        <TaskFields form={form} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start workflow'}
          </button>
        </div>
      </form>
    </>
  );
}

function StartWorkflow({ def }: { def: WorkflowDefinition }) {
  const { jobTypes } = useSession();
  const title = def.title ?? def.name;
  const heading = useTitleFocus(`New ${title}`);
  const first = def.stages[0];
  const jobType = first.kind === 'fan-out' ? undefined : jobTypes.find((t) => t.type === first.type);
  return (
    <>
      <p class="breadcrumb">
        <a href={routeHref({ name: 'new' })}>New task</a> › {title}
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {def.description && <p>{def.description}</p>}
      <section class="card" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Its stages</h2>
        <WorkflowGraph view={previewStages(def)} onOpenChildren={noChildren} />
      </section>
      {jobType ? (
        <WorkflowForm key={def.name} def={def} jobType={jobType} />
      ) : (
        <p class="banner banner-info">
          Its first stage, {first.name}, {first.kind === 'fan-out' ? `runs once per item of “${first.items}”` : `is a ${first.type} job you cannot start here`}: start this workflow through the API
          (<span class="mono">POST /v1/workflows</span>).
        </p>
      )}
    </>
  );
}

function WorkflowList() {
  const heading = useTitleFocus('New workflow');
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        New workflow
      </h1>
      <WorkflowChooser />
    </>
  );
}

/** `#/workflows/new/<name>`: a declared workflow's stages and the form of what it starts with. */
export function NewWorkflowPage({ workflow }: { workflow?: string }) {
  const { client } = useSession();
  const defs = useAsync(() => client.workflowDefinitions(), [client]);
  if (!workflow) return <WorkflowList />;
  if (defs.error) return <ErrorBanner error={defs.error} onRetry={defs.reload} />;
  if (!defs.data) return <Loading what="the workflow" />;
  const def = defs.data.find((d) => d.name === workflow);
  if (!def) {
    return (
      <MessagePage key={workflow} title="Unknown workflow">
        <p>
          There is no workflow “{workflow}” on this server. <a href={routeHref({ name: 'new' })}>Choose one of the available ones.</a>
        </p>
      </MessagePage>
    );
  }
  return <StartWorkflow key={def.name} def={def} />;
}
