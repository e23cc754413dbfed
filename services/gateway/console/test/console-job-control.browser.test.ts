import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, startConsoleEnv, waitForFocus, type ConsoleEnv } from './console-helpers';

/**
 * Job control in the console (issue 14), in Chromium against the whole product on real servers: run a
 * failed task again, delete a finished one (after a yes), both greyed out with the reason while refused;
 * a start time and a priority on the new-task form. Screenshots go to test-artifacts/console/.
 */

const [USER, , ADMIN] = DEFAULT_KEYS;

let env: ConsoleEnv;
let stack: ProcessStack;
let browser: Browser;
const { api, submit, statusOf, settled: settledAs, signIn, waitForStatus } = consoleHelpers(() => stack.gatewayUrl);

beforeAll(async () => {
  env = await startConsoleEnv('console-job-control', {
    seed: { schools: 1, pupilsPerSchool: 1, weeks: 1, assessmentsPerBatch: 0, seed: 3 },
    workers: { diagnostic: 1 },
    limits: { diagnostic: { maxAttempts: 1 } },
  });
  ({ stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

const settled = (id: string): Promise<string> => settledAs(USER.key, id);

test('a failed task runs again as a new linked task; a finished one is deleted only after a yes; both are greyed out while refused', async () => {
  const failed = await submit(USER.key, 'diagnostic', { failAttempts: 5 }, 'Fails once');
  expect(await settled(failed)).toBe('failed');
  const waiting = await submit(USER.key, 'diagnostic', { sleepMs: 60_000 }, 'Still running');

  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);

  // An unfinished task: neither is offered, and the page says why.
  await page.goto(`${stack.gatewayUrl}/#/tasks/${waiting}`);
  await page.getByRole('heading', { level: 1, name: 'Still running' }).waitFor();
  await expect(page.getByRole('button', { name: 'Run again' }).isDisabled()).resolves.toBe(true);
  await expect(page.getByRole('button', { name: 'Delete task' }).isDisabled()).resolves.toBe(true);
  await expect(page.locator('#delete-refusal').textContent()).resolves.toContain('once it has finished');
  await screenshot(page, '40-task-actions-refused');
  await api(USER.key, 'POST', `/v1/tasks/${waiting}/cancel`);

  // The failed task: Run again opens the new task, which links back to the old one.
  await page.goto(`${stack.gatewayUrl}/#/tasks/${failed}`);
  await waitForStatus(page, 'failed', 30_000);
  await screenshot(page, '41-task-actions-failed');
  await page.getByRole('button', { name: 'Run again' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/tasks/') && !url.hash.endsWith(failed));
  const retry = new URL(page.url()).hash.slice('#/tasks/'.length);
  await page.getByRole('link', { name: 'an earlier task' }).waitFor();
  expect((await api<{ retryOf: string }>(USER.key, 'GET', `/v1/tasks/${retry}`)).body.retryOf).toBe(failed);
  await screenshot(page, '42-task-run-again');
  await page.getByRole('link', { name: 'an earlier task' }).click();
  // The new task fails too (maxAttempts 1): its own 'failed' is on screen until the old task's page replaces it.
  await page.waitForURL((url) => url.hash === `#/tasks/${failed}`);
  await page.getByRole('link', { name: 'an earlier task' }).waitFor({ state: 'detached' });
  await waitForStatus(page, 'failed', 30_000);

  // Delete asks first; "Keep it" keeps it.
  await page.getByRole('button', { name: 'Delete task' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm deleting' });
  await expect(confirm.textContent()).resolves.toContain('cannot be undone');
  await screenshot(page, '43-task-delete-confirm');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  expect(await statusOf(USER.key, failed)).toBe('failed');
  await page.getByRole('button', { name: 'Delete task' }).click();
  await page.getByRole('group', { name: 'Confirm deleting' }).getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your tasks' }).waitFor();
  await waitFor('the task to be gone', async () => (await api(USER.key, 'GET', `/v1/tasks/${failed}`)).status === 404, { timeoutMs: 30_000 });
  await settled(retry);
  await page.close();
}, 180_000);

test('the new-task form takes a start time and a priority: the task waits as scheduled, with its priority', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.goto(`${stack.gatewayUrl}/#/new/diagnostic`);
  await page.getByRole('heading', { level: 1, name: 'Diagnostic' }).waitFor();
  await expect(page.getByLabel('Priority').locator('option').allTextContents()).resolves.toEqual([
    'Normal',
    'High: ahead of normal',
    'Low: after normal',
  ]);

  // Too far ahead: said beside the field, with focus on it, before anything is sent.
  const local = (msAhead: number): Promise<string> =>
    page.evaluate((ms) => {
      const d = new Date(Date.now() + ms);
      const pad = (n: number): string => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }, msAhead);
  await page.getByLabel('Start at').fill(await local(40 * 24 * 3600_000));
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('#task-start-error').textContent()).resolves.toBe('Choose a time within the next 30 days.');
  await waitForFocus(page, 'task-start');

  const startAt = await local(2 * 3600_000);
  await page.getByLabel('Start at').fill(startAt);
  await page.getByLabel('Priority').selectOption({ label: 'High: ahead of normal' });
  await page.getByLabel('Title').fill('Later, first in line');
  await screenshot(page, '44-new-task-start-priority');
  await page.getByRole('button', { name: 'Submit' }).click();
  await waitForStatus(page, 'scheduled', 30_000);
  await expect(page.locator('.status-panel').textContent()).resolves.toContain('Waits until');
  await screenshot(page, '45-task-scheduled');
  const id = new URL(page.url()).hash.slice('#/tasks/'.length);
  const task = (await api<{ runAt: string; priority: string }>(USER.key, 'GET', `/v1/tasks/${id}`)).body;
  expect(task.priority).toBe('high');
  expect(new Date(task.runAt).getTime()).toBe(new Date(startAt).getTime());
  await api(USER.key, 'POST', `/v1/tasks/${id}/cancel`);
  await page.close();
}, 120_000);

test('an admin pauses a job type on the queues page: its tasks wait; resume lets them run', async () => {
  const page = await browser.newPage();
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.goto(`${stack.gatewayUrl}/#/admin/queues`);
  await page.getByRole('button', { name: 'Pause Diagnostic' }).first().click();
  await page.getByRole('button', { name: 'Resume Diagnostic' }).first().waitFor();
  const paused = (await api<{ items: { type: string; paused?: boolean }[] }>(ADMIN.key, 'GET', '/v1/admin/queues')).body.items.find((q) => q.type === 'diagnostic');
  expect(paused?.paused).toBe(true);
  const id = await submit(USER.key, 'diagnostic', {}, 'Waits for resume');
  await screenshot(page, '46-queues-paused');
  expect(await statusOf(USER.key, id)).toBe('queued');
  await page.getByRole('button', { name: 'Resume Diagnostic' }).first().click();
  await page.getByRole('button', { name: 'Pause Diagnostic' }).first().waitFor();
  expect(await settled(id)).toBe('succeeded');
  await page.close();
}, 120_000);
