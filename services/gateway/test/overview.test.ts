import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OverviewView } from '@taskyard/contracts';
import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// The overview end to end: tasks run by the real services, counted by the status service, read by the
// gateway from the counters (never the tasks), everyone's for an admin and only their own for a user.
let servers: TestServers;
let stack: ProcessStack;
const LIMITS = { diagnostic: { maxAttempts: 2, backoffMs: [200], unfinishedPerOwner: 50 } };

const keyOf = (principal: string): string => stack.keys.find((k) => k.principal === principal)!.key;

async function api<T>(method: string, path: string, principal: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${keyOf(principal)}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

const submit = async (principal: string, params: Record<string, unknown>): Promise<string> =>
  (await api<{ id: string }>('POST', '/v1/tasks', principal, { type: 'diagnostic', params })).body.id;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const diagnostic = (view: OverviewView, window: 'hour' | 'day') => view[window].series.find((s) => s.type === 'diagnostic')!;

beforeAll(async () => {
  servers = await testServers('overview');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS, env: { STATS_FLUSH_MS: '200' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

test("an admin's overview counts everyone's tasks per minute and hour; a user's counts only their own", async () => {
  const ids = [await submit('teacher-1', { sleepMs: 50 }), await submit('teacher-1', {}), await submit('teacher-2', { failAttempts: 5 })];
  for (const id of ids) {
    await waitFor(`task ${id} finished`, async () => ['succeeded', 'failed'].includes((await api<{ status: string }>('GET', `/v1/tasks/${id}`, 'admin-1')).body.status) || undefined);
  }
  const admin = await waitFor('the counts in the overview', async () => {
    const { body } = await api<OverviewView>('GET', '/v1/overview', 'admin-1');
    // Both windows' documents are flushed together; a read may fall between two of their upserts.
    const settled = (['hour', 'day'] as const).every((w) => sum(diagnostic(body, w).failed) === 1 && sum(diagnostic(body, w).succeeded) === 2 && sum(diagnostic(body, w).started) === 4);
    return settled && body.failures[0]?.count === 2 ? body : undefined;
  });
  expect(admin.scope).toBe('all');
  expect(admin.hour).toMatchObject({ stepSeconds: 60, points: 60 });
  expect(admin.day).toMatchObject({ stepSeconds: 3600, points: 24 });
  expect(sum(diagnostic(admin, 'hour').started)).toBe(4);
  expect(sum(diagnostic(admin, 'day').started)).toBe(4);
  // The figures land in the last periods of the windows.
  expect(sum(diagnostic(admin, 'hour').started.slice(-2))).toBe(4);
  expect(admin.failures[0]).toMatchObject({ type: 'diagnostic', code: 'diagnostic-failure', count: 2, message: expect.stringContaining('diagnostic failure on attempt') });
  const latency = admin.latency.find((l) => l.type === 'diagnostic')!;
  expect(latency.started).toBe(4);
  expect(latency.waitP50Ms).toBeGreaterThanOrEqual(0);
  expect(latency.runP95Ms).toBeGreaterThanOrEqual(latency.runP50Ms!);
  // RabbitMQ's management API samples consumer counts every 5 s, and the gateway caches queue figures 5 s:
  // a worker that started a moment ago shows up within about 10 s.
  const queue = await waitFor('the worker among the queue\'s consumers', async () => {
    const q = (await api<OverviewView>('GET', '/v1/overview', 'admin-1')).body.queues?.find((x) => x.type === 'diagnostic');
    return q?.consumers === 1 ? q : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  expect(queue).toMatchObject({ ready: expect.any(Number), consumers: 1 });

  const own = (await api<OverviewView>('GET', '/v1/overview', 'teacher-1')).body;
  expect(own.scope).toBe('own');
  expect({ started: sum(diagnostic(own, 'hour').started), succeeded: sum(diagnostic(own, 'hour').succeeded), failed: sum(diagnostic(own, 'hour').failed) }).toEqual({ started: 2, succeeded: 2, failed: 0 });
  expect(own.failures).toEqual([]);
  const other = (await api<OverviewView>('GET', '/v1/overview', 'teacher-2')).body;
  expect(sum(diagnostic(other, 'hour').failed)).toBe(1);
  expect(other.failures).toEqual([expect.objectContaining({ code: 'diagnostic-failure', count: 2 })]);

  // The timeline of the failed task: both attempts, each with its error; the first says when the retry was due.
  const failed = (await api<{ attempts: { attempt: number; outcome: string; error?: { code: string }; retryAt?: string }[] }>('GET', `/v1/tasks/${ids[2]}`, 'teacher-2')).body;
  expect(failed.attempts.map((a) => [a.attempt, a.outcome, a.error?.code, Boolean(a.retryAt)])).toEqual([
    [1, 'failed', 'diagnostic-failure', true],
    [2, 'failed', 'diagnostic-failure', false],
  ]);
});

test("the gateway's /metrics has each type's queue, consumers and dead letters, and the outbox backlog", async () => {
  // Consumer counts come from the management API's 5 s samples (see above): wait for the worker's.
  const text = await waitFor('the consumer in /metrics', async () => {
    const body = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    return /taskyard_queue_consumers\{type="diagnostic"\} 1/.test(body) ? body : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  expect(text).toMatch(/taskyard_queue_consumers\{type="diagnostic"\} 1/);
  expect(text).toMatch(/taskyard_queue_messages\{type="diagnostic",state="ready"\} \d+/);
  expect(text).toMatch(/taskyard_queue_messages\{type="diagnostic",state="dead"\} \d+/);
  expect(text).toMatch(/taskyard_outbox_backlog \d+/);
});

// deploy/: the Grafana dashboard and the Prometheus alert rules, checked against what the services export.
const DEPLOY = path.resolve(__dirname, '../../../deploy');
const RULES = path.join(DEPLOY, 'prometheus/taskyard-alerts.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana/taskyard-dashboard.json');
const run = promisify(execFile);

/** `promtool check rules`'s parser (deploy/local/rules-check, built by install.sh). */
async function checkRules(file: string): Promise<{ ok: boolean; out: string }> {
  const bin = process.env.RULES_CHECK_BIN;
  if (!bin) throw new Error('RULES_CHECK_BIN is not set: run the tests through npm test (deploy/local/lib.sh export_env)');
  try {
    const { stdout } = await run(bin, [file]);
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Every metric a scrape declares (`# TYPE`) or samples, a histogram's series included. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line);
    if (typed) {
      names.add(typed[1]);
      if (typed[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(typed[1] + s);
    } else if (line && !line.startsWith('#')) names.add(line.split(/[{ ]/, 1)[0]);
  }
  return names;
}

const referenced = (text: string): string[] => [...new Set(text.match(/\b(?:taskyard|rabbitmq)_[a-z0-9_]+/g) ?? [])];

test('the alert rules pass Prometheus\' rule check; a broken rule does not', async () => {
  const good = await checkRules(RULES);
  expect(good).toEqual({ ok: true, out: expect.stringMatching(/SUCCESS: [4-9] rules found/) });
  const broken = path.join(mkdtempSync(path.join(tmpdir(), 'rules-')), 'broken.yml');
  writeFileSync(broken, readFileSync(RULES, 'utf8').replace('> 30', '> > 30'));
  expect(await checkRules(broken)).toEqual({ ok: false, out: expect.stringContaining('parse error') });
});

test('the dashboard is valid JSON with a Prometheus query in every panel, and every metric it and the rules use is exported', async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: { id: number; title: string; targets: { expr: string }[] }[] };
  expect(dashboard.uid).toBeTruthy();
  expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  for (const panel of dashboard.panels) expect({ panel: panel.title, queries: panel.targets.filter((t) => t.expr.trim()).length > 0 }).toEqual({ panel: panel.title, queries: true });
  // The real stack's scrapes: gateway, status service, a worker, and RabbitMQ's plugin per object.
  const scrapes = await Promise.all([
    ...stack.processes.map(async (p) => (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text()),
    fetch(`${process.env.RABBITMQ_PROMETHEUS_URL ?? 'http://127.0.0.1:15693'}/metrics/per-object`).then((r) => r.text()),
  ]);
  const exported = new Set(scrapes.flatMap((t) => [...exportedNames(t)]));
  const used = referenced(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n') + readFileSync(RULES, 'utf8'));
  expect(used.length).toBeGreaterThan(15);
  expect(used.filter((name) => !exported.has(name))).toEqual([]);
});
