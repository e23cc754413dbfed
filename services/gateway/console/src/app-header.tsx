import type { Me } from './api/api-types';
import type { Route } from './routing/route';
import { routeHref } from './routing/route';

interface Props {
  me: Me;
  route: Route;
  onSignOut: () => void;
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {children}
      </a>
    </li>
  );
}

/** The bar on every signed-in screen: where to go, who is signed in, sign out. */
export function AppHeader({ me, route, onSignOut }: Props) {
  const isAdminRoute = route.name === 'queues' || route.name === 'dead-letters';
  const home = route.name === 'home';
  const admin = me.role === 'admin';
  return (
    <header class="app-header">
      <a class="brand" href={routeHref({ name: 'home' })}>
        Taskyard
      </a>
      <nav aria-label="Main">
        <ul>
          <NavLink href={routeHref({ name: 'overview' })} current={route.name === 'overview' || (home && admin)}>
            Overview
          </NavLink>
          <NavLink href={routeHref({ name: 'tasks' })} current={route.name === 'tasks' || route.name === 'task' || route.name === 'workflow' || (home && !admin)}>
            Tasks
          </NavLink>
          <NavLink href={routeHref({ name: 'new' })} current={route.name === 'new' || route.name === 'new-workflow'}>
            New task
          </NavLink>
          <NavLink href={routeHref({ name: 'schedules' })} current={route.name === 'schedules' || route.name === 'schedule' || route.name === 'new-schedule'}>
            Schedules
          </NavLink>
          {me.role === 'admin' && (
            <NavLink href={routeHref({ name: 'queues' })} current={isAdminRoute}>
              Queues
            </NavLink>
          )}
          {me.role === 'admin' && (
            <NavLink href={routeHref({ name: 'api-keys' })} current={route.name === 'api-keys'}>
              API keys
            </NavLink>
          )}
          <li>
            <a href="/docs" target="_blank" rel="noopener">
              API docs<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </li>
        </ul>
      </nav>
      <div class="who">
        <span class="who-name" title={me.principal}>
          {me.principal}
        </span>
        {me.role === 'admin' && <span class="role-tag">admin</span>}
        <button type="button" class="button link" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
