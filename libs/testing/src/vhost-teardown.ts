import { management } from './rabbit-management';

/**
 * How long declarations already under way are given to finish once no client can connect. A quorum queue declared
 * at-least-once dead-lettered gets its dead-letter worker when its first leader is elected; deleted before that
 * worker registered (its registration waits behind the deletion in the queue's log), the worker crashes, and its
 * restarts fail at once, for the queue is gone: RabbitMQ 3.10's rabbit_fifo_dlx_sup dies of it, and every later
 * declaration of such a queue fails with 541 broker-wide (deploy/local/servers.sh rabbit_dlx_guard). Reproduced on
 * a private node by clients declaring such queues while their vhost was deleted (test/vhost-teardown.test.ts).
 */
export const DECLARATIONS_SETTLE_MS = 1_000;

/** A vhost no client can connect to any more, since `at` (Date.now()). */
export interface SilencedVhost {
  adminUrl: string;
  vhost: string;
  at: number;
}

async function closeConnections(adminUrl: string, vhost: string): Promise<number> {
  const res = await management(adminUrl, 'GET', `/api/vhosts/${encodeURIComponent(vhost)}/connections`);
  const open = res.status === 404 ? [] : ((await res.json()) as { name: string }[]);
  for (const c of open) await management(adminUrl, 'DELETE', `/api/connections/${encodeURIComponent(c.name)}`);
  return open.length;
}

/**
 * First step of deleting a test file's vhost: no new connection is allowed, no user may declare anything more in
 * it, and the open connections are closed, so no service still running (or reconnecting after a test killed it)
 * declares its topology again. The caller may do
 * other work while the declarations under way finish (testServers drops the database meanwhile).
 */
export async function silenceVhost(adminUrl: string, vhost: string): Promise<SilencedVhost> {
  const v = encodeURIComponent(vhost);
  await management(adminUrl, 'PUT', `/api/vhost-limits/${v}/max-connections`, { value: 0 });
  // A connection the management API does not list yet (it learns of new ones a moment late) is not closed below:
  // without permissions on the vhost it can declare nothing more either.
  const res = await management(adminUrl, 'GET', `/api/vhosts/${v}/permissions`);
  const granted = res.status === 404 ? [] : ((await res.json()) as { user: string }[]);
  for (const p of granted) await management(adminUrl, 'DELETE', `/api/permissions/${v}/${encodeURIComponent(p.user)}`);
  await closeConnections(adminUrl, vhost);
  return { adminUrl, vhost, at: Date.now() };
}

/**
 * Deletes a silenced vhost once DECLARATIONS_SETTLE_MS have passed since it was silenced, and since any
 * connection it still had was closed (the management API lists a new connection a moment late).
 */
export async function deleteSilencedVhost(silenced: SilencedVhost): Promise<void> {
  const { adminUrl, vhost } = silenced;
  let quietSince = silenced.at;
  for (;;) {
    const wait = quietSince + DECLARATIONS_SETTLE_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if ((await closeConnections(adminUrl, vhost)) === 0) break;
    quietSince = Date.now();
  }
  await management(adminUrl, 'DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
}

/** Deletes a test file's vhost without deleting a queue whose declaration is under way (see DECLARATIONS_SETTLE_MS). */
export async function deleteVhostQuietly(adminUrl: string, vhost: string): Promise<void> {
  await deleteSilencedVhost(await silenceVhost(adminUrl, vhost));
}
