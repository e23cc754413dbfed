import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import { TASK_STATUSES, UNFINISHED_STATUSES, type Task } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ProgressBar } from '../components/progress-bar';
import { StatusBadge } from '../components/status-badge';
import { formatDateTime, formatRelative } from '../format/format';
import { navigate } from '../hooks/use-hash-route';
import { useNow } from '../hooks/use-now';
import { useTitleFocus } from '../hooks/use-title-focus';
import { routeHref } from '../routing/route';
import { STATUS_LABELS } from '../tasks/status-text';

const PAGE_SIZE = 20;
/** While the first page shows unfinished tasks, it is fetched again this often. */
const REFRESH_MS = 5000;

interface Filter {
  type?: string;
  status?: string;
}

interface ListState {
  items: Task[];
  nextCursor?: string;
  loading: boolean;
  error?: ApiError;
}

function Filters({ filter }: { filter: Filter }) {
  const { jobTypes } = useSession();
  const change = (name: keyof Filter) => (event: Event) =>
    navigate(routeHref({ name: 'tasks', ...filter, [name]: (event.currentTarget as HTMLSelectElement).value || undefined }));
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter tasks">
      <div class="field">
        <label for="filter-type">Type</label>
        <select id="filter-type" value={filter.type ?? ''} onChange={change('type')}>
          <option value="">All types</option>
          {jobTypes.map((t) => (
            <option key={t.type} value={t.type}>
              {t.title}
            </option>
          ))}
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
    </form>
  );
}

function TaskRow({ task, showOwner, typeTitle, now }: { task: Task; showOwner: boolean; typeTitle: string; now: number }) {
  return (
    <tr>
      <td data-label="Task">
        <a href={routeHref({ name: 'task', id: task.id })}>{task.title || typeTitle}</a>
        <span class="muted small mono block">{task.id.slice(0, 8)}</span>
      </td>
      <td data-label="Type">{typeTitle}</td>
      <td data-label="Status">
        <StatusBadge status={task.status} />
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
    </tr>
  );
}

function useTaskList(filter: Filter) {
  const { client } = useSession();
  const [state, setState] = useState<ListState>({ items: [], loading: true });
  const load = async (cursor?: string): Promise<void> => {
    setState((old) => ({ ...old, loading: true, error: undefined }));
    try {
      const page = await client.listTasks({ ...filter, limit: PAGE_SIZE, cursor });
      setState((old) => ({ items: cursor ? [...old.items, ...page.items] : page.items, nextCursor: page.nextCursor, loading: false }));
    } catch (error) {
      setState((old) => ({ ...old, loading: false, error: asApiError(error) }));
    }
  };
  useEffect(() => {
    setState({ items: [], loading: true });
    void load();
  }, [filter.type, filter.status]);
  return { state, load };
}

/** The caller's tasks (an admin's: everyone's), newest first, filtered by type and status, a page at a time. */
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
  const titleOf = (type: string): string => jobTypes.find((t) => t.type === type)?.title ?? type;
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
          No tasks{filter.type || filter.status ? ' match these filters' : ' yet'}. <a href={routeHref({ name: 'new' })}>Start one.</a>
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
