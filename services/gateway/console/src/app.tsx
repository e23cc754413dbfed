import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api/api-client';
import { asApiError } from './api/api-error';
import type { Me } from './api/api-types';
import { AppHeader } from './app-header';
import { SessionContext, type Session } from './app-context';
import { ErrorBanner } from './components/error-banner';
import { Loading } from './components/loading';
import { MessagePage } from './components/message-page';
import { useAsync } from './hooks/use-async';
import { useHashRoute } from './hooks/use-hash-route';
import { ApiKeysPage } from './pages/api-keys-page';
import { DeadLettersPage } from './pages/dead-letters-page';
import { NewTaskPage } from './pages/new-task-page';
import { OverviewPage } from './pages/overview-page';
import { QueuesPage } from './pages/queues-page';
import { NewSchedulePage } from './pages/new-schedule-page';
import { SchedulePage } from './pages/schedule-page';
import { SchedulesPage } from './pages/schedules-page';
import { SignInPage } from './pages/sign-in-page';
import { TaskListPage } from './pages/task-list-page';
import { TaskPage } from './pages/task-page';
import { NewWorkflowPage } from './pages/new-workflow-page';
import { WorkflowPage } from './pages/workflow-page';
import type { Route } from './routing/route';
import { routeHref } from './routing/route';
import { clearKey, loadKey, saveKey } from './session/session-store';

interface Auth {
  key: string;
  me: Me;
}

function AdminOnly() {
  return (
    <MessagePage title="Admins only">
      <p>This page needs an admin API key. Sign out and sign in with one to see it.</p>
    </MessagePage>
  );
}

function Screen({ route, me }: { route: Route; me: Me }) {
  switch (route.name) {
    case 'home':
      return me.role === 'admin' ? <OverviewPage /> : <TaskListPage filter={{}} />;
    case 'overview':
      return <OverviewPage />;
    case 'tasks':
      return <TaskListPage filter={{ type: route.type, status: route.status, tag: route.tag }} />;
    case 'task':
      return <TaskPage key={route.id} id={route.id} />;
    case 'workflow':
      return <WorkflowPage key={route.id} id={route.id} />;
    case 'new-workflow':
      return <NewWorkflowPage key={route.workflow} workflow={route.workflow} />;
    case 'new':
      return <NewTaskPage type={route.type} />;
    case 'queues':
      return me.role === 'admin' ? <QueuesPage /> : <AdminOnly />;
    case 'dead-letters':
      return me.role === 'admin' ? <DeadLettersPage key={route.type} type={route.type} /> : <AdminOnly />;
    case 'api-keys':
      return me.role === 'admin' ? <ApiKeysPage /> : <AdminOnly />;
    case 'schedules':
      return <SchedulesPage showOwner={me.role === 'admin'} />;
    case 'schedule':
      return <SchedulePage key={route.id} id={route.id} />;
    case 'new-schedule':
      return <NewSchedulePage type={route.type} />;
    case 'not-found':
      return (
        <MessagePage key={route.hash} title="Page not found">
          <p>
            <a href={routeHref({ name: 'tasks' })}>Go to your tasks.</a>
          </p>
        </MessagePage>
      );
  }
}

function SignedIn({ auth, onSignOut, onRefused }: { auth: Auth; onSignOut: () => void; onRefused: () => void }) {
  const route = useHashRoute();
  const client = useMemo(() => new ApiClient(auth.key, onRefused), [auth.key, onRefused]);
  const jobTypes = useAsync(() => client.jobTypes(), [client]);
  const session = useMemo<Session | null>(() => (jobTypes.data ? { client, me: auth.me, jobTypes: jobTypes.data } : null), [client, auth.me, jobTypes.data]);
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <AppHeader me={auth.me} route={route} onSignOut={onSignOut} />
      <main id="main" tabIndex={-1}>
        {jobTypes.error && <ErrorBanner error={jobTypes.error} onRetry={jobTypes.reload} />}
        {!session && !jobTypes.error && <Loading what="job types" />}
        {session && (
          <SessionContext.Provider value={session}>
            <Screen route={route} me={auth.me} />
          </SessionContext.Provider>
        )}
      </main>
    </>
  );
}

/** Signs in with the kept key (or asks for one), then shows the screen the hash names. */
export function App() {
  const [auth, setAuth] = useState<Auth | null>(null);
  const [checking, setChecking] = useState(() => loadKey() !== undefined);
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    const key = loadKey();
    if (!key) return;
    new ApiClient(key)
      .me()
      .then((me) => setAuth({ key, me }))
      .catch((error: unknown) => {
        if (asApiError(error).status === 401) clearKey();
        setNotice(asApiError(error).status === 401 ? 'Your API key is no longer accepted. Sign in again.' : 'Could not reach the server to check your key. Sign in again.');
      })
      .finally(() => setChecking(false));
  }, []);

  const signIn = (key: string, me: Me): void => {
    saveKey(key);
    setNotice(undefined);
    setAuth({ key, me });
  };
  const signOut = useCallback((): void => {
    clearKey();
    setAuth(null);
    setNotice('You are signed out.');
  }, []);
  const refused = useCallback((): void => {
    clearKey();
    setAuth(null);
    setNotice('Your API key was refused. Sign in again.');
  }, []);

  if (checking) return <Loading what="your session" />;
  if (!auth) return <SignInPage onSignedIn={signIn} notice={notice} />;
  return <SignedIn auth={auth} onSignOut={signOut} onRefused={refused} />;
}
