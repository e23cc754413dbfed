import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import { TASK_STATUSES, UNFINISHED_STATUSES, type Task } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ProgressBar } from '../components/progress-bar';
import { ShortfallBadge } from '../components/shortfall-badge';
import { StatusBadge } from '../components/status-badge';
import { formatDateTime, formatRelative } from '../format/format';
import { navigate } from '../hooks/use-hash-route';
import { useNow } from '../hooks/use-now';
import { useTaskParts } from '../hooks/use-task-parts';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref, taskRoute, WORKFLOW_TYPE } from '../routing/route';
import { shortfallsOf } from '../tasks/shortfalls';
import { STATUS_LABELS } from '../tasks/status-text';

const PAGE_SIZE = 20;
/** While the first page shows unfinished tasks, it is fetched again this often. */
const REFRESH_MS = 5000;

interface Filter {
  type?: string;
  status?: string;
  tag?: string;
}

interface ListState {
  items: Task[];
  nextCursor?: string;
  loading: boolean;
  error?: ApiError;
}

function Filters({ filter }: { filter: Filter }) {
  const { jobTypes } = useSession();
  const set = (name: keyof Filter, value: string): void => navigate(routeHref({ name: 'tasks', ...filter, [name]: value.trim() || undefined }));
  const change = (name: keyof Filter) => (event: Event) => set(name, (event.currentTarget as HTMLSelectElement | HTMLInputElement).value);
  const [tag, setTag] = useState(filter.tag ?? '');
  useEffect(() => setTag(filter.tag ?? ''), [filter.tag]);
  return (
    <form
      class="filters"
      aria-label="Filter tasks"
      onSubmit={(e) => {
        e.preventDefault();
        set('tag', tag);
      }}
    >
      <div class="field">
        <label for="filter-type">Type</label>
        <select id="filter-type" value={filter.type ?? ''} onChange={change('type')}>
          <option value="">All types</option>
          {jobTypes.map((t) => (
            <option key={t.type} value={t.type}>
              {t.title}
            </option>
          ))}
          <option value={WORKFLOW_TYPE}>Workflows</option>
        </select>
      </div>
      <div class="field">
        <label for="filter-status">Status</label>
        <select id="filter-status" value={filter.status ?? ''} onChange={change('status')}>
          <option value="">All statuses</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-tag">Tag</label>
        {/* Applied on Enter or on leaving the field, not on every key. */}
        <input id="filter-tag" type="search" maxLength={100} value={tag} onInput={(e) => setTag((e.currentTarget as HTMLInputElement).value)} onChange={change('tag')} autoComplete="off" placeholder="Any tag" />
      </div>
    </form>
  );
}

interface RowProps {
  task: Task;
  showOwner: boolean;
  typeTitle: string;
  now: number;
}

/** The cells after the first, the same for a task and for each of its parts. */
function TaskCells({ task, showOwner, typeTitle, now }: RowProps) {
  return (
    <>
      <td data-label="Type">{typeTitle}</td>
      <td data-label="Status">
        <StatusBadge status={task.status} />
        <ShortfallBadge shortfalls={shortfallsOf(task)} />
      </td>
      <td data-label="Progress">
        <ProgressBar value={task.progress ?? 0} label={`Progress of ${task.title || typeTitle}`} />
      </td>
      <td data-label="Created">
        <time dateTime={task.createdAt} title={formatDateTime(task.createdAt)}>
          {formatRelative(task.createdAt, now)}
        </time>
      </td>
      {showOwner && <td data-label="Owner">{task.owner}</td>}
    </>
  );
}

/** A fan-out's parts, as rows right under their parent's, each with its own title. */
function PartRows({ parent, ...row }: RowProps & { parent: Task }) {
  const { client } = useSession();
  const parts = useTaskParts(client, parent.id, `${(parent.children?.done ?? 0) + (parent.children?.failed ?? 0)}:${parent.status}`);
  const columns = row.showOwner ? 6 : 5;
  return (
    <>
      {parts.items.map((part) => (
        <tr key={part.id} class="part-row" data-parent={parent.id}>
          <td data-label="Part">
            <span class="part-mark" aria-hidden="true">
              ↳{' '}
            </span>
            <a href={routeHref({ name: 'task', id: part.id })}>{part.title}</a>
            <span class="visually-hidden"> (part of {parent.title})</span>
          </td>
          <TaskCells {...row} task={part} />
        </tr>
      ))}
      {(parts.error || parts.nextCursor || (parts.loading && parts.items.length === 0)) && (
        <tr class="part-row">
          <td colSpan={columns}>
            {parts.error && <ErrorBanner error={parts.error} />}
            {parts.loading && parts.items.length === 0 && <Loading what="the parts" />}
            {parts.nextCursor && (
              <button type="button" class="button link" disabled={parts.loading} onClick={parts.more}>
                Show more parts
              </button>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function TaskRow(props: RowProps) {
  const { task, typeTitle } = props;
  const [open, setOpen] = useState(false);
  const total = task.children?.total ?? 0;
  return (
    <>
      <tr class={open ? 'has-parts' : undefined}>
        <td data-label="Task">
          <a href={routeHref(taskRoute(task))}>{task.title || typeTitle}</a>
          <span class="muted small mono block">{task.id.slice(0, 8)}</span>
          {total > 0 && (
            <button type="button" class="button link parts-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? 'Hide' : 'Show'} its {total === 1 ? 'part' : `${total} parts`}
            </button>
          )}
        </td>
        <TaskCells {...props} />
      </tr>
      {open && <PartRows {...props} parent={task} />}
    </>
  );
}

function useTaskList(filter: Filter) {
  const { client } = useSession();
  const [state, setState] = useState<ListState>({ items: [], loading: true });
  // Only the latest request's answer is shown: a refresh started under the previous filter can answer
  // after the new filter's first page and would otherwise overwrite it (as useAsync does).
  const run = useRef(0);
  const load = async (cursor?: string): Promise<void> => {
    const mine = ++run.current;
    setState((old) => ({ ...old, loading: true, error: undefined }));
    try {
      const page = await client.listTasks({ ...filter, limit: PAGE_SIZE, cursor });
      if (mine !== run.current) return;
      setState((old) => ({ items: cursor ? [...old.items, ...page.items] : page.items, nextCursor: page.nextCursor, loading: false }));
    } catch (error) {
      if (mine !== run.current) return;
      setState((old) => ({ ...old, loading: false, error: asApiError(error) }));
    }
  };
  useEffect(() => {
    setState({ items: [], loading: true });
    void load();
  }, [filter.type, filter.status, filter.tag]);
  return { state, load };
}

/**
 * The caller's tasks (an admin's: everyone's), newest first, filtered by type, status and tag, a page at a
 * time. A fan-out's parts are not among them: they open under their parent's row.
 */
export function TaskListPage({ filter }: { filter: Filter }) {
  const { me, jobTypes } = useSession();
  const heading = useTitleFocus('Tasks');
  const now = useNow();
  const { state, load } = useTaskList(filter);
  const onFirstPage = state.items.length <= PAGE_SIZE;
  const anyUnfinished = state.items.some((t) => UNFINISHED_STATUSES.includes(t.status));
  useEffect(() => {
    if (!onFirstPage || !anyUnfinished || state.loading) return;
    const timer = setTimeout(() => void load(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [onFirstPage, anyUnfinished, state.loading, state.items]);
  const titleOf = (type: string): string => (type === WORKFLOW_TYPE ? 'Workflow' : (jobTypes.find((t) => t.type === type)?.title ?? type));
  const showOwner = me.role === 'admin';
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {showOwner ? 'All tasks' : 'Your tasks'}
        </h1>
        <a class="button primary" href={routeHref({ name: 'new' })}>
          New task
        </a>
      </div>
      <Filters filter={filter} />
      {state.error && <ErrorBanner error={state.error} onRetry={() => void load()} />}
      {state.items.length === 0 && state.loading && <Loading what="tasks" />}
      {state.items.length === 0 && !state.loading && !state.error && (
        <p class="empty">
          No tasks{filter.type || filter.status || filter.tag ? ' match these filters' : ' yet'}. <a href={routeHref({ name: 'new' })}>Start one.</a>
        </p>
      )}
      {state.items.length > 0 && (
        <table class="table tasks-table">
          <caption class="visually-hidden">Tasks, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Created</th>
              {showOwner && <th scope="col">Owner</th>}
            </tr>
          </thead>
          <tbody>
            {state.items.map((task) => (
              <TaskRow key={task.id} task={task} showOwner={showOwner} typeTitle={titleOf(task.type)} now={now} />
            ))}
          </tbody>
        </table>
      )}
      {state.nextCursor && (
        <button type="button" class="button secondary more" disabled={state.loading} onClick={() => void load(state.nextCursor)}>
          {state.loading ? 'Loading…' : 'Show more'}
        </button>
      )}
    </>
  );
}
