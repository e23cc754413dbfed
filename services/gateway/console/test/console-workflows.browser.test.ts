import type { Page } from 'playwright-core';
import type { TaskView, WorkflowView } from '@taskyard/contracts';
import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, startConsoleEnv, type ConsoleEnv } from './console-helpers';

/**
 * Workflows in the console (issue 15), in Chromium against the whole product on real servers: a declared
 * workflow (a chain with a fan-out and its fan-in) started from its form and followed live on its graph;
 * its stage tasks reached from the graph and back; a workflow cancelled with its running fan-out; a failed
 * one run again from its failed stage. Screenshots at 1280 and 375 px go to test-artifacts/console/.
 */

const [USER] = DEFAULT_KEYS;

let env: ConsoleEnv;
let stack: ProcessStack;
let browser: Browser;
const { api, signIn } = consoleHelpers(() => stack.gatewayUrl);

beforeAll(async () => {
  env = await startConsoleEnv('console-workflows', {
    seed: { schools: 1, pupilsPerSchool: 1, weeks: 1, assessmentsPerBatch: 0, seed: 7 },
    workers: { diagnostic: 1 },
    // A stage that fails, fails for good at once: no retry back-off to wait through.
    limits: { diagnostic: { maxAttempts: 1, prefetch: 16 } },
  });
  ({ stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

const workflow = async (id: string): Promise<WorkflowView> => (await api<WorkflowView>(USER.key, 'GET', `/v1/workflows/${id}`)).body;

async function startAdHoc(definition: Record<string, unknown>, params: Record<string, unknown>, title: string): Promise<string> {
  const res = await api<{ id: string }>(USER.key, 'POST', '/v1/workflows', { workflow: definition, params, title });
  if (res.status !== 202) throw new Error(`workflow submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Waits, through the API, until the three children of the workflow's `parts` fan-out all have `status`. */
const childrenReach = (id: string, status: string): Promise<true> =>
  waitFor(`every child of ${id}.parts to be ${status}`, async () => {
    const statuses = await Promise.all([1, 2, 3].map(async (n) => (await api<TaskView>(USER.key, 'GET', `/v1/tasks/${id}.parts.${n}`)).body.status));
    return statuses.every((s) => s === status) || undefined;
  }, { timeoutMs: 30_000 });

/** The graph's boxes as the page shows them now: stage name → its data-state. */
const graphStates = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('.wf-graph [data-stage]')).map((n) => [n.getAttribute('data-stage'), n.getAttribute('data-state')])));

/**
 * Records every state each box of the graph shows (sampled every 25 ms, repeats dropped) and marks the
 * window, so the test can tell afterwards that the page moved by itself, with no reload.
 */
const recordStates = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { seenStates: typeof seen }).seenStates = seen;
    setInterval(() => {
      for (const n of Array.from(document.querySelectorAll('.wf-graph [data-stage]'))) {
        const list = (seen[n.getAttribute('data-stage')!] ??= []);
        const state = n.getAttribute('data-state')!;
        if (list[list.length - 1] !== state) list.push(state);
      }
    }, 25);
  });
const seenStates = (page: Page): Promise<Record<string, string[]> | undefined> => page.evaluate(() => (window as unknown as { seenStates?: Record<string, string[]> }).seenStates);

async function waitForStage(page: Page, stage: string, state: string, timeout = 30_000): Promise<void> {
  try {
    await page.locator(`.wf-graph [data-stage="${stage}"][data-state="${state}"]`).waitFor({ timeout });
  } catch (err) {
    await screenshot(page, `failed-waiting-for-${stage}-${state}`, [1280]);
    throw new Error(`stage ${stage} never showed ${state}; the graph shows ${JSON.stringify(await graphStates(page))}, it went through ${JSON.stringify(await seenStates(page))}`, { cause: err });
  }
}
const waitForWorkflowStatus = (page: Page, status: string, timeout = 60_000): Promise<unknown> => page.locator(`.status-panel [data-status="${status}"]`).waitFor({ timeout });

test('a declared workflow started from its form: the graph follows each stage live to the end; its tasks link to it and back', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New task' }).click();
  await page.getByRole('link', { name: 'Diagnostic fan-out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Diagnostic fan-out' }).waitFor();
  // Before it runs: its stages, all waiting, and only the params its first stage takes from the workflow.
  expect(await graphStates(page)).toEqual({ plan: 'waiting', parts: 'waiting', combine: 'waiting', 'after-failure': 'waiting' });
  await expect(page.locator('form input[id^="field-"]').evaluateAll((els) => els.map((e) => e.id))).resolves.toEqual(['field-sleepMs', 'field-parts']);
  await page.locator('#field-sleepMs').fill('-3');
  await page.locator('#field-parts').fill('3');
  await page.getByLabel('Title').fill('Three parts');
  await page.getByRole('button', { name: 'Start workflow' }).click();
  // A bad value is named on its field, and nothing starts.
  await page.locator('#field-sleepMs[aria-invalid="true"]').waitFor();
  await screenshot(page, '60-workflow-new');
  await page.locator('#field-sleepMs').fill('2000');

  await recordStates(page);
  await page.getByRole('button', { name: 'Start workflow' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/workflows/') && !url.hash.startsWith('#/workflows/new'));
  const id = new URL(page.url()).hash.slice('#/workflows/'.length);
  await page.getByRole('heading', { level: 1, name: 'Three parts' }).waitFor();
  await waitForStage(page, 'parts', 'running');
  await page.locator('.live-live').waitFor();
  await screenshot(page, '61-workflow-running');
  await waitForWorkflowStatus(page, 'succeeded');
  await waitForStage(page, 'combine', 'succeeded');

  // Every box moved by itself (the window was never reloaded) through its states, in order, to the end.
  const seen = (await seenStates(page))!;
  expect(seen.plan.slice(-2)).toEqual(['running', 'succeeded']);
  expect(seen.parts).toEqual(['waiting', 'running', 'succeeded']);
  expect(seen.combine[0]).toBe('waiting');
  expect(seen.combine.slice(-1)).toEqual(['succeeded']);
  expect(seen.combine.filter((s) => s !== 'waiting' && s !== 'succeeded').every((s) => s === 'queued' || s === 'running')).toBe(true);
  expect(seen['after-failure']).toEqual(['waiting']);
  await expect(page.locator('.wf-graph [data-stage="parts"] .wf-state').textContent()).resolves.toBe('3 of 3 done');
  await expect(page.locator('.status-panel .progress-text').textContent()).resolves.toBe('100%');
  await expect(page.locator('.log').textContent()).resolves.toContain('combine');
  await page.locator('.live-ended').waitFor();
  await screenshot(page, '62-workflow-succeeded');

  // The fan-out's tasks, from its box; one of them links back to its workflow.
  await page.locator('.wf-graph [data-stage="parts"]').click();
  const children = page.getByRole('list', { name: 'Tasks of parts' });
  await children.getByRole('link').nth(2).waitFor();
  await expect(children.getByRole('link').count()).resolves.toBe(3);
  await children.getByRole('link').nth(1).click();
  await page.waitForURL((url) => url.hash === `#/tasks/${id}.parts.2`);
  await page.locator('.stage-of a').waitFor();
  await expect(page.locator('.stage-of').textContent()).resolves.toBe('Stage parts (item 2) of the workflow Three parts');
  await screenshot(page, '63-workflow-stage-task', [375]);
  await page.locator('.stage-of').getByRole('link', { name: 'Three parts' }).click();
  await page.waitForURL((url) => url.hash === `#/workflows/${id}`);
  // A chain stage's box opens its task.
  await page.locator('.wf-graph [data-stage="plan"]').click();
  await page.waitForURL((url) => url.hash === `#/tasks/${id}.plan`);
  // In the task list the workflow's row opens its stages.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await page.getByLabel('Type').selectOption('workflow');
  await page.waitForURL((url) => url.hash === '#/tasks?type=workflow');
  await page.getByRole('link', { name: 'Three parts' }).click();
  await page.waitForURL((url) => url.hash === `#/workflows/${id}`);
  await waitForWorkflowStatus(page, 'succeeded');
  expect((await workflow(id)).stages.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  await page.close();
}, 120_000);

test('cancel reaches the running fan-out: every child task and the workflow end cancelled, the stage after it never starts', async () => {
  const id = await startAdHoc(
    {
      name: 'slow-parts',
      stages: [
        { name: 'parts', type: 'diagnostic', kind: 'fan-out', items: 'sleeps', itemParam: 'sleepMs' },
        { name: 'combine', type: 'diagnostic', kind: 'fan-in', pass: [] },
      ],
    },
    { sleeps: [60_000, 60_000, 60_000] },
    'Slow parts',
  );
  await childrenReach(id, 'running');
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.goto(`${stack.gatewayUrl}/#/workflows/${id}`);
  await waitForStage(page, 'parts', 'running');
  await expect(page.locator('.wf-graph [data-stage="parts"] .wf-state').textContent()).resolves.toBe('0 of 3 done');
  await page.getByRole('button', { name: 'Cancel workflow' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm cancelling' });
  await expect(confirm.textContent()).resolves.toContain('Every running stage is stopped');
  await confirm.getByRole('button', { name: 'Yes, cancel it' }).click();
  await waitForWorkflowStatus(page, 'cancelled');
  await waitForStage(page, 'parts', 'cancelled');
  expect(await graphStates(page)).toEqual({ parts: 'cancelled', combine: 'waiting' });
  await childrenReach(id, 'cancelled');
  await page.getByRole('button', { name: 'Show its 3 tasks', exact: true }).click();
  const children = page.getByRole('list', { name: 'Tasks of parts' });
  await children.locator('[data-status="cancelled"]').nth(2).waitFor();
  await expect(children.locator('[data-status]').count()).resolves.toBe(3);
  await expect(page.getByRole('button', { name: 'Cancel workflow' }).count()).resolves.toBe(0);
  await screenshot(page, '64-workflow-cancelled');
  await page.close();
}, 90_000);

test('a failed workflow shows its failed stage and what ran after it; "Run again" opens the new workflow, started at that stage', async () => {
  const id = await startAdHoc(
    {
      name: 'check-then-finish',
      stages: [
        { name: 'prepare', type: 'diagnostic', pass: [] },
        { name: 'check', type: 'diagnostic', params: { failAttempts: 1 }, pass: [] },
        { name: 'finish', type: 'diagnostic', pass: [] },
      ],
      onFailure: { name: 'tell-someone', type: 'diagnostic', pass: [] },
    },
    {},
    'Fails at check',
  );
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.goto(`${stack.gatewayUrl}/#/workflows/${id}`);
  await waitForWorkflowStatus(page, 'failed');
  await waitForStage(page, 'tell-someone', 'succeeded');
  expect(await graphStates(page)).toEqual({ prepare: 'succeeded', check: 'failed', finish: 'waiting', 'tell-someone': 'succeeded' });
  await expect(page.locator('.status-line').textContent()).resolves.toContain('Stage check failed');
  // 700 px: the graph wraps onto a second row.
  await screenshot(page, '65-workflow-failed', [1280, 700, 375]);

  await page.getByRole('button', { name: 'Run again from check' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/workflows/') && !url.hash.endsWith(id));
  const retry = new URL(page.url()).hash.slice('#/workflows/'.length);
  await page.getByRole('link', { name: 'an earlier workflow' }).waitFor();
  await waitForStage(page, 'prepare', 'skipped');
  // The check fails again (it always does): the new workflow ran from it, not from the start.
  await waitForWorkflowStatus(page, 'failed');
  expect(await graphStates(page)).toMatchObject({ prepare: 'skipped', check: 'failed', finish: 'waiting' });
  expect((await workflow(retry)).retryOf).toEqual({ workflowId: id, fromStage: 'check' });
  await screenshot(page, '66-workflow-retried');
  await page.getByRole('link', { name: 'an earlier workflow' }).click();
  await page.waitForURL((url) => url.hash === `#/workflows/${id}`);
  await waitForWorkflowStatus(page, 'failed');
  await page.close();
}, 90_000);
