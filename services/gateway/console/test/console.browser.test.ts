import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { schoolId } from '@taskyard/school-data';
import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, importZip, startConsoleEnv, type ConsoleEnv } from './console-helpers';

/**
 * The console in headless Chromium against the whole product running as processes on real servers:
 * what a teacher and an admin do in it, end to end. Screenshots go to test-artifacts/console/.
 */

const [USER, USER_2, ADMIN] = DEFAULT_KEYS;
const SCHOOL = schoolId(1);
const FROM = '2024-09-02';
const TO = '2024-09-29';

let env: ConsoleEnv;
let stack: ProcessStack;
let browser: Browser;

beforeAll(async () => {
  env = await startConsoleEnv('console', {
    seed: { schools: 1, pupilsPerSchool: 40, weeks: 4, assessmentsPerBatch: 0, seed: 11 },
    workers: { 'spelling-report': 1, 'cloud-import': 1, diagnostic: 1 },
    // Quick retries, so a task that always fails reaches the dead-letter queue in about a second; and
    // files kept a few seconds only, swept every second, so expiry can be watched.
    limits: { diagnostic: { backoffMs: [200], maxAttempts: 2, retentionMs: 6000 } },
    env: { SWEEP_INTERVAL_MS: '1000' },
  });
  ({ stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

const { api, submit, statusOf, signIn, openForm, waitForStatus } = consoleHelpers(() => stack.gatewayUrl);

test('signing in with the keyboard: a wrong key is refused with a clear message, a right one opens the task list', async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.gatewayUrl}/`);
  await screenshot(page, '01-sign-in');
  // The heading has focus on arrival (an effect, run after the first frame: a Tab pressed before it would
  // be undone by it); Tab reaches the key field, Enter submits.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1', undefined, { timeout: 5000 });
  await page.keyboard.press('Tab');
  await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('api-key');
  await page.keyboard.type('not-a-key');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').textContent()).resolves.toContain('API key not accepted');
  await page.getByLabel('API key').fill(USER.key);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  // Each screen puts focus on its heading, so the next Tab is the screen's first control.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Your tasks', undefined, { timeout: 5000 });
  await page.keyboard.press('Tab');
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('New task');
  await page.getByRole('heading', { level: 1, name: 'Your tasks' }).waitFor();
  // The API documentation the header links to is there.
  await expect(page.getByRole('link', { name: /API docs/ }).getAttribute('href')).resolves.toBe('/docs');
  expect((await fetch(`${stack.gatewayUrl}/docs`)).status).toBe(200);
  // The key is kept for the tab: a reload stays signed in.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Your tasks' }).waitFor();
  await page.close();
});

test('a spelling report submitted from its form reaches succeeded live, and its xlsx downloads', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await openForm(page, 'Spelling report');
  // The client-side checks name each missing field before anything is sent.
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('.field-error').count()).resolves.toBeGreaterThanOrEqual(4);
  await screenshot(page, '02-spelling-form-errors');

  await page.getByLabel('Report on').selectOption('school');
  await page.getByLabel('School ID').fill(SCHOOL);
  await page.getByLabel('From').fill(FROM);
  await page.getByLabel('To (required)').fill(TO);
  await page.getByLabel('Title').fill('September spelling, whole school');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
  // A marker that a reload would wipe: the page must get to succeeded by itself.
  await page.evaluate(() => Object.assign(window, { taskyardNoReload: true }));
  await waitForStatus(page, 'succeeded');
  await expect(page.evaluate(() => (window as unknown as { taskyardNoReload?: boolean }).taskyardNoReload)).resolves.toBe(true);
  await expect(page.getByRole('progressbar', { name: 'Task progress' }).getAttribute('aria-valuenow')).resolves.toBe('100');
  await page.getByRole('link', { name: 'Download report.xlsx' }).waitFor();
  await screenshot(page, '03-spelling-succeeded');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download report.xlsx' }).click()]);
  const file = await download.path();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(readFileSync(file) as unknown as ExcelJS.Buffer);
  expect(workbook.worksheets.length).toBeGreaterThanOrEqual(2);
  await page.close();
}, 180_000);


test('an uploaded zip is imported, and its page shows the summary and the rejected rows', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await openForm(page, 'Data import (zip)');
  // A file that is not a zip is refused before uploading.
  await page.locator('#zip-file').setInputFiles({ name: 'pupils.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n') });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.locator('#zip-error').textContent()).resolves.toContain('is not a .zip file');

  // A file named .zip that is not one is refused by the server, and said so plainly.
  await page.locator('#zip-file').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('this is not a zip archive') });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  const refused = page.locator('[data-error-code="invalid-zip"]');
  await refused.waitFor();
  await expect(refused.textContent()).resolves.toContain('The file is not a usable zip');
  await screenshot(page, '05-import-invalid-zip', [1280]);

  await page.locator('#zip-file').setInputFiles(importZip('imp', SCHOOL, 'school-data.zip'));
  await expect(page.locator('.dropzone-text').textContent()).resolves.toContain('school-data.zip');
  await screenshot(page, '05-import-form', [1280]);
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
  await waitForStatus(page, 'succeeded');
  // The summary: totals as the result, file by file in summary.json; the refused row with its reason.
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.textContent()).resolves.toMatch(/Rows\s*4.*Accepted\s*3.*Rejected\s*1/);
  await page.getByRole('button', { name: 'Show summary.json' }).click();
  await expect(page.getByLabel('Contents of summary.json').textContent()).resolves.toContain('pupils.csv');
  await page.getByRole('button', { name: 'Show rejected-pupils.csv' }).click();
  const rejected = await page.getByLabel('Contents of rejected-pupils.csv').textContent();
  expect(rejected).toContain('row,column,reason');
  expect(rejected).toMatch(/4,given_name,is required/);
  await screenshot(page, '06-import-succeeded');
  await page.close();
}, 180_000);

test("a running task's progress and log lines arrive live, before it finishes", async () => {
  // Three steps five seconds apart: each step's log line and progress reach the open page as they
  // happen (over the event stream, or by polling when the stream has missed events).
  const id = await submit(USER.key, 'diagnostic', { sleepMs: 15_000, progressSteps: 3 }, 'Slow diagnostic');
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.goto(`${stack.gatewayUrl}/#/tasks/${id}`);
  await page.getByText('Live: updates as they happen').waitFor();
  await page.locator('.log').getByText('step 2 of 3').waitFor({ timeout: 20_000 }).catch(async (err: Error) => {
    await screenshot(page, 'failed-waiting-for-step-2', [1280]);
    throw err;
  });
  await expect(page.locator('.status-panel [data-status="running"]').count()).resolves.toBe(1);
  const progress = Number(await page.getByRole('progressbar', { name: 'Task progress' }).getAttribute('aria-valuenow'));
  expect(progress).toBeGreaterThan(0);
  expect(progress).toBeLessThan(100);
  await screenshot(page, '04-task-running');
  await waitForStatus(page, 'succeeded', 30_000);
  await page.close();
}, 90_000);

test('a fourth unfinished task of a type shows the quota message', async () => {
  const hanging = [];
  for (let i = 1; i <= 3; i++) hanging.push(await submit(USER.key, 'diagnostic', { hang: true }, `Hanging ${i}`));
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await openForm(page, 'Diagnostic');
  await page.getByLabel('Sleep (ms)').fill('100');
  await page.getByRole('button', { name: 'Submit' }).click();
  const alert = page.locator('[data-error-code="quota-exceeded"]');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toContain('Limit of unfinished tasks reached');
  await screenshot(page, '07-quota-reached');

  // Cancelling one from its page frees a place.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('link', { name: 'Hanging 1' }).click();
  await page.getByRole('button', { name: 'Cancel task' }).click();
  await page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await waitForStatus(page, 'cancelled', 30_000);
  await page.close();
  for (const id of hanging.slice(1)) await api(USER.key, 'POST', `/v1/tasks/${id}/cancel`);
}, 120_000);

test('an admin sees the queues and replays a dead letter', async () => {
  const id = await submit(USER_2.key, 'diagnostic', { failAttempts: 10 }, 'Always fails');
  await waitFor('the task to fail for good', async () => (await statusOf(USER_2.key, id)) === 'failed', { timeoutMs: 30_000 });

  const page = await browser.newPage();
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).click();
  const table = page.locator('.queues-table');
  await table.waitFor();
  await expect(table.textContent()).resolves.toContain('tasks.spelling-report');
  await expect(page.getByRole('link', { name: /RabbitMQ management UI/ }).getAttribute('href')).resolves.toMatch(/^http/);
  await screenshot(page, '08-admin-queues');

  await page.getByRole('link', { name: /dead letters of Diagnostic/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Dead letters: Diagnostic' }).waitFor();
  await page.getByRole('checkbox', { name: 'Select Always fails' }).check();
  await screenshot(page, '09-dead-letters');
  await page.getByRole('button', { name: /^Replay selected/ }).click();
  const done = page.locator('.banner-success');
  await done.waitFor();
  await expect(done.textContent()).resolves.toContain('Replayed one task as a new task');
  await screenshot(page, '10-dead-letter-replayed', [1280]);

  // The replay is a new task of the same owner, and its page opens from the link.
  await done.getByRole('link').click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
  await expect(page.getByRole('region', { name: 'Details' }).textContent()).resolves.toContain(USER_2.principal);
  await page.close();
}, 120_000);

test('a file past its retention is shown as expired, not offered for download', async () => {
  const id = await submit(USER_2.key, 'diagnostic', { artifactBytes: 2048 }, 'Short-lived file');
  const page = await browser.newPage();
  await signIn(page, USER_2.key, USER_2.principal);
  await page.goto(`${stack.gatewayUrl}/#/tasks/${id}`);
  await waitForStatus(page, 'succeeded', 30_000);
  await page.getByRole('link', { name: 'Download diagnostic.bin' }).waitFor();
  // Once the retention time passes, the open page takes the link away by itself...
  await page.getByText('Expired: deleted after the retention period.').waitFor({ timeout: 20_000 });
  await expect(page.getByRole('link', { name: 'Download diagnostic.bin' }).count()).resolves.toBe(0);
  // ...and once the sweeper has deleted the file, the task itself reads expired.
  await waitFor('the task to expire', async () => (await statusOf(USER_2.key, id)) === 'expired', { timeoutMs: 30_000 });
  await page.reload();
  await waitForStatus(page, 'expired', 15_000);
  await expect(page.locator('.status-panel').textContent()).resolves.toContain('its files were deleted after the retention period');
  await screenshot(page, '11-task-expired', [1280]);
  await page.close();
}, 90_000);

test('the task list filters by type and by status', async () => {
  for (let i = 1; i <= 3; i++) await submit(USER_2.key, 'diagnostic', { sleepMs: 10 }, `Quick ${i}`);
  const page = await browser.newPage(375);
  await signIn(page, USER_2.key, USER_2.principal);
  await page.getByLabel('Type').selectOption('diagnostic');
  await page.waitForURL(/type=diagnostic/);
  await page.getByRole('link', { name: 'Quick 3' }).waitFor();
  await page.getByLabel('Status').selectOption('failed');
  await page.waitForURL(/status=failed/);
  // 'Always fails' (a diagnostic task) was on the type's page already, which stays until the filtered answer
  // replaces it: wait for that answer (Quick 1 gone), not for a row that was there before.
  await page.getByRole('link', { name: 'Quick 1' }).waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByRole('link', { name: 'Always fails' }).first().waitFor();
  await screenshot(page, '12-task-list-filtered', [375, 1280]);
  await page.close();
}, 60_000);

/** Collects what the browser refused under the Content-Security-Policy, so a test can require none. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.push(msg.text());
  });
  return seen;
}

test('an admin creates a key limited to a tag, sees it used, and revokes it; nothing breaks the security policy', async () => {
  const page = await browser.newPage();
  const refused = cspViolations(page);
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();

  // A missing principal is named before anything is sent.
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.locator('#key-problem').textContent()).resolves.toContain('who the key acts for');
  await page.getByLabel('Acts for').fill('teacher-9');
  await page.getByLabel(/^Tags/).fill('school-1');
  await page.getByLabel(/^Submissions per minute/).fill('5');
  await page.getByLabel(/^Note/).fill('front desk');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByLabel('The new API key');
  await secret.waitFor();
  const key = (await secret.textContent()) ?? '';
  expect(key).toMatch(/^ty_user_/);
  await screenshot(page, '13-api-key-created');

  // The key works at once, for its principal and tag only.
  expect((await api<{ principal: string; tags: string[] }>(key, 'GET', '/v1/me')).body).toEqual({ principal: 'teacher-9', role: 'user', tags: ['school-1'] });
  expect((await api(key, 'POST', '/v1/tasks', { type: 'diagnostic', params: {}, tag: 'school-2' })).status).toBe(403);
  const row = page.locator('.keys-table tr', { hasText: 'teacher-9' });
  await waitFor('its last use to show', async () => {
    await page.reload();
    await row.waitFor();
    return !(await row.textContent())?.includes('never');
  });
  await expect(row.textContent()).resolves.toContain('school-1');
  await screenshot(page, '14-api-keys-list');

  await row.getByRole('button', { name: /^Revoke/ }).click();
  await page.getByRole('button', { name: 'Yes, revoke it' }).click();
  await page.getByText('No keys created yet.').waitFor();
  expect((await api(key, 'GET', '/v1/me')).status).toBe(401);
  expect(refused).toEqual([]);
  await page.close();
}, 60_000);

test('the API docs render under their own security policy', async () => {
  const page = await browser.newPage();
  const refused = cspViolations(page);
  await page.goto(`${stack.gatewayUrl}/docs`);
  await page.locator('.swagger-ui .information-container').waitFor();
  await page.getByText('Taskyard API').first().waitFor();
  expect(refused).toEqual([]);
  await page.close();
}, 30_000);
