import mongoose from 'mongoose';
import { readTask, taskModels, tasksWithEnds, type TaskRecord } from '@taskyard/tasks';
import { DECLARED_WORKFLOWS, diagnosticFanOut, type TaskView, type WorkflowDefinition, type WorkflowView } from '@taskyard/contracts';
import { testServers, startProcessStack, waitFor, type ProcessStack, type TestServers } from '@taskyard/testing';

// Workflows through HTTP as a client runs them, against the product running as processes: the shapes end
// to end, the answers to bad definitions, cancel, retry, and the status service killed mid-workflow.
let servers: TestServers;
let stack: ProcessStack;
let db: mongoose.Connection;
const LIMITS = { diagnostic: { timeoutMs: 20_000, backoffMs: [200], maxAttempts: 1, prefetch: 16, unfinishedPerOwner: 50 } };

const key = (): string => stack.keys.find((k) => k.role === 'user')!.key;

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function submit(body: Record<string, unknown>): Promise<string> {
  const res = await api<{ id: string; statusUrl: string }>('/v1/workflows', { method: 'POST', body: JSON.stringify(body) });
  expect(res).toMatchObject({ status: 202, body: { statusUrl: `/v1/workflows/${res.body.id}` } });
  return res.body.id;
}

function finished(id: string, timeoutMs = 60_000): Promise<WorkflowView> {
  return waitFor(`workflow ${id} to finish`, async () => {
    const w = (await api<WorkflowView>(`/v1/workflows/${id}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(w.status) ? w : undefined;
  }, { timeoutMs, intervalMs: 200 });
}

interface StoredTask {
  _id: string;
  attempt: number;
  status: string;
}
/** A task as it is (its end is a document of its own: task-outcome.ts). */
const stored = (id: string): Promise<TaskRecord | null> => readTask<TaskRecord>(taskModels(db).Task, id, {}, 10_000);

beforeAll(async () => {
  servers = await testServers('workflows-http');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1, scheduler: 1 }, limits: LIMITS });
  db = await mongoose.createConnection(servers.mongoUrl).asPromise();
}, 120_000);
afterAll(async () => {
  await db?.close();
  await stack?.stop(5000);
  await servers?.cleanup();
});

test('a declared chain runs by name: every stage succeeded, each its own task under the workflow', async () => {
  const id = await submit({ workflow: 'diagnostic-chain', params: { sleepMs: 10 } });
  const w = await finished(id);
  expect(w).toMatchObject({ status: 'succeeded', progress: 100, name: 'diagnostic-chain' });
  expect(w.stages.map((s) => [s.name, s.state, s.taskStatus])).toEqual([
    ['first', 'succeeded', 'succeeded'],
    ['second', 'succeeded', 'succeeded'],
    ['third', 'succeeded', 'succeeded'],
  ]);
  const third = (await api<{ params: unknown; parentId: string; artifacts: { name: string }[] }>(`/v1/tasks/${id}.third`)).body;
  expect(third).toMatchObject({ params: { artifactBytes: 16 }, parentId: id, artifacts: [{ name: 'diagnostic.bin' }] });
  const asTask = (await api<{ type: string; status: string }>(`/v1/tasks/${id}`)).body;
  expect(asTask).toMatchObject({ type: 'workflow', status: 'succeeded' });
});

test('the declared workflows this deployment can run are listed with their stages; the fan-out one runs by name, its tasks naming their stage', async () => {
  const listed = await api<{ items: WorkflowDefinition[] }>('/v1/workflows/definitions');
  expect(listed.status).toBe(200);
  const enabled = new Set((await api<{ items: { type: string }[] }>('/v1/job-types')).body.items.map((t) => t.type));
  expect(listed.body.items.map((w) => w.name)).toEqual(DECLARED_WORKFLOWS.filter((w) => [...w.stages, ...(w.onFailure ? [w.onFailure] : [])].every((s) => enabled.has(s.type))).map((w) => w.name));
  expect(listed.body.items.find((w) => w.name === 'diagnostic-fan-out')).toEqual(diagnosticFanOut);

  const id = await submit({ workflow: 'diagnostic-fan-out', params: { sleepMs: 5, parts: 3 } });
  const w = await finished(id);
  expect(w.stages.map((s) => [s.name, s.state, s.total])).toEqual([
    ['plan', 'succeeded', undefined],
    ['parts', 'succeeded', 3],
    ['combine', 'succeeded', undefined],
  ]);
  const child = (await api<TaskView>(`/v1/tasks/${id}.parts.2`)).body;
  expect(child).toMatchObject({ parentId: id, params: { sleepMs: 5 }, stage: { workflowId: id, stage: 'parts', kind: 'fan-out', item: 1 } });
  expect((await api<TaskView>(`/v1/tasks/${id}.plan`)).body.stage).toEqual({ workflowId: id, stage: 'plan', kind: 'task' });
  expect((await api<TaskView>(`/v1/tasks/${id}`)).body.stage).toBeUndefined();
});

test('bad workflows are 400s naming the problem; a task that is no workflow is 404', async () => {
  const post = (body: unknown) => api<{ error: { code: string; message: string } }>('/v1/workflows', { method: 'POST', body: JSON.stringify(body) });
  expect((await post({ workflow: 'no-such-flow' })).body.error).toMatchObject({ code: 'unknown-workflow' });
  const inFanIn = await post({ workflow: { name: 'x', stages: [{ name: 'a', type: 'diagnostic', kind: 'fan-in' }] } });
  expect(inFanIn).toMatchObject({ status: 400, body: { error: { code: 'invalid-params', message: expect.stringContaining('stage "a": a fan-in must come right after a fan-out') } } });
  const unknownType = await post({ workflow: { name: 'x', stages: [{ name: 'a', type: 'nope' }] } });
  expect(unknownType.body.error.message).toContain('stage "a": job type "nope" is not enabled');
  const badName = await post({ workflow: { name: 'x', stages: [{ name: 'A.B', type: 'diagnostic' }] } });
  expect(badName.status).toBe(400);
  const badParams = await post({ workflow: 'diagnostic-chain', params: { sleepMs: -5 } });
  expect(badParams).toMatchObject({ status: 400, body: { error: { code: 'invalid-params' } } });
  const plain = (await api<{ id: string }>('/v1/tasks', { method: 'POST', body: JSON.stringify({ type: 'diagnostic', params: {} }) })).body.id;
  expect((await api(`/v1/workflows/${plain}`)).status).toBe(404);
});

test('a failed stage: retry runs a new workflow from it, the stages before skipped; cancel reaches a running stage', async () => {
  const id = await submit({ workflow: { name: 'fails', stages: [{ name: 'ok', type: 'diagnostic', pass: [] }, { name: 'bad', type: 'diagnostic', params: { failAttempts: 1 }, pass: [] }] } });
  const w = await finished(id);
  expect(w.stages.map((s) => s.state)).toEqual(['succeeded', 'failed']);
  expect(w.error).toMatchObject({ code: 'stage-failed' });
  const retry = await api<{ id: string }>(`/v1/workflows/${id}/retry`, { method: 'POST' });
  expect(retry.status).toBe(202);
  expect((await api<{ id: string }>(`/v1/workflows/${id}/retry`, { method: 'POST' })).body.id).toBe(retry.body.id);
  const again = await finished(retry.body.id);
  expect(again.retryOf).toEqual({ workflowId: id, fromStage: 'bad' });
  expect(again.stages.map((s) => s.state)).toEqual(['skipped', 'failed']);
  expect((await api(`/v1/workflows/${w.id}/retry`, { method: 'POST' })).status).toBe(200);

  const slow = await submit({ workflow: { name: 'slow', stages: [{ name: 'wait', type: 'diagnostic', params: { hang: true } }, { name: 'never', type: 'diagnostic' }] } });
  await waitFor('the hanging stage to run', async () => (await stored(`${slow}.wait`))?.status === 'running');
  expect((await api(`/v1/workflows/${slow}/cancel`, { method: 'POST' })).status).toBe(202);
  expect((await finished(slow)).status).toBe('cancelled');
  await waitFor('the running stage to be cancelled', async () => (await stored(`${slow}.wait`))?.status === 'cancelled');
  expect((await api(`/v1/workflows/${slow}/cancel`, { method: 'POST' })).status).toBe(409);
});

test('a schedule runs a declared workflow at each occurrence; a bad workflow template is a 400', async () => {
  const bad = await api<{ error: { code: string } }>('/v1/schedules', { method: 'POST', body: JSON.stringify({ cron: '* * * * * *', task: { kind: 'workflow', workflow: 'no-such-flow' } }) });
  expect(bad).toMatchObject({ status: 400, body: { error: { code: 'unknown-workflow' } } });
  const made = await api<{ id: string; template: unknown }>('/v1/schedules', {
    method: 'POST',
    body: JSON.stringify({ cron: '* * * * * *', catchUp: 'skip', task: { kind: 'workflow', workflow: 'diagnostic-chain', params: { sleepMs: 1 } } }),
  });
  expect(made).toMatchObject({ status: 201, body: { template: { kind: 'workflow', workflow: 'diagnostic-chain', params: { sleepMs: 1 } } } });
  const taskId = await waitFor('an occurrence to start a workflow', async () => {
    const s = (await api<{ history: { outcome: string; taskId?: string }[] }>(`/v1/schedules/${made.body.id}`)).body;
    return s.history.find((o) => o.outcome === 'submitted')?.taskId;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  expect((await api(`/v1/schedules/${made.body.id}`, { method: 'DELETE' })).status).toBe(204);
  const w = await finished(taskId);
  expect(w).toMatchObject({ status: 'succeeded', name: 'diagnostic-chain' });
});

test('the status service killed mid fan-out: every stage and child still runs once, the fan-in once', async () => {
  const N = 120;
  const id = await submit({
    workflow: {
      name: 'pages',
      stages: [
        { name: 'pages', type: 'diagnostic', kind: 'fan-out', items: 'sleeps', itemParam: 'sleepMs' },
        { name: 'combine', type: 'diagnostic', kind: 'fan-in', pass: [] },
      ],
    },
    params: { sleeps: Array.from({ length: N }, (_, i) => i % 7) },
  });
  const outputs = db.collection('workflow_outputs');
  await waitFor('a third of the children to finish', async () => (await outputs.countDocuments({ ws: `${id}/pages` })) >= N / 3, { timeoutMs: 120_000, intervalMs: 50 });
  const status = stack.processes.find((p) => p.name === 'status')!;
  status.child.kill('SIGKILL');
  await new Promise((r) => status.child.once('exit', r));
  await stack.add('status');
  const w = await finished(id, 200_000);
  expect(w.status).toBe('succeeded');
  expect(w.stages.map((s) => [s.state, s.total, s.done])).toEqual([['succeeded', N, N], ['succeeded', undefined, undefined]]);
  expect(await outputs.countDocuments({ ws: `${id}/pages` })).toBe(N);
  const stageTasks = await tasksWithEnds<StoredTask & { _id: string }>(taskModels(db).Task, { parentId: id }, {}, 10_000);
  expect(stageTasks).toHaveLength(N + 1);
  expect(stageTasks.filter((t) => t.status !== 'succeeded' || t.attempt !== 1)).toEqual([]);
  expect(w.logs.filter((l) => l.message.startsWith('stage combine started'))).toHaveLength(1);
  expect(w.progress).toBe(100);
}, 240_000);
