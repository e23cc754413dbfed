import { occurrenceId, type ScheduleView } from '@taskyard/contracts';
import { OccurrenceHistory, minuteNode, scheduleModels } from '@taskyard/schedules';
import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import type { Page } from 'playwright-core';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, startConsoleEnv, waitForFocus, type ConsoleEnv } from './console-helpers';

/**
 * The schedules page (issue 14), in Chromium against the whole product on real servers, the scheduler
 * included: create a schedule from the job type's own form with a cron (seconds), a time zone and a
 * catch-up rule; its next runs; its history (fired tasks linking to their pages, skipped runs with the
 * reason, older runs a page at a time); pause and resume; delete after a yes; an admin sees everyone's.
 * Screenshots go to test-artifacts/console/ at 1280 px and 375 px (no sideways scrolling at phone width).
 */

const [USER, USER2, ADMIN] = DEFAULT_KEYS;

let env: ConsoleEnv;
let stack: ProcessStack;
let browser: Browser;
const { api, signIn } = consoleHelpers(() => stack.gatewayUrl);

beforeAll(async () => {
  env = await startConsoleEnv('console-schedules', {
    seed: { schools: 1, pupilsPerSchool: 1, weeks: 1, assessmentsPerBatch: 0, seed: 5 },
    workers: { diagnostic: 1, scheduler: 1 },
    // One unfinished task at a time: a run that finds the last one still running is skipped, with the reason.
    limits: { diagnostic: { unfinishedPerOwner: 1 } },
  });
  ({ stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

type History = { items: { fireAt: string; outcome: string; taskId?: string; reason?: string }[]; nextCursor?: string };
const historyOf = async (key: string, id: string): Promise<History> => (await api<History>(key, 'GET', `/v1/schedules/${id}/history?limit=100`)).body;

async function openSchedules(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
  await page.locator('h1').filter({ hasText: /schedules$/ }).waitFor();
}

test('a user creates a schedule from the job type form, sees its runs and history, pauses, resumes and deletes it', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await openSchedules(page);
  await page.getByRole('heading', { level: 1, name: 'Your schedules' }).waitFor();
  await expect(page.locator('.empty').textContent()).resolves.toContain('No schedules yet');
  await screenshot(page, '50-schedules-empty');

  // The type chooser offers no type that takes an upload; the form is the type's own, plus when and how.
  await page.getByRole('link', { name: 'New schedule' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'New schedule' }).waitFor();
  await expect(page.getByRole('link', { name: 'Cloud import' }).count()).resolves.toBe(0);
  await page.getByRole('link', { name: 'Diagnostic', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'New schedule: Diagnostic' }).waitFor();
  const zones = await page.getByLabel('Time zone').locator('option').allTextContents();
  expect(zones).toEqual(expect.arrayContaining(['UTC', 'Europe/London', 'America/New York']));

  // A wrong shape is said before sending; a wrong expression by the server, both beside the field with focus on it.
  await page.getByLabel('Cron expression').fill('* * *');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.locator('#schedule-cron-error').textContent()).resolves.toBe('Use 5 fields (6 with seconds first); this has 3.');
  await page.getByLabel('Cron expression').fill('61 * * * *');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.locator('#schedule-cron-error').textContent()).resolves.toMatch(/61 \* \* \* \*.*not a cron expression/);
  await waitForFocus(page, 'schedule-cron');
  await screenshot(page, '51-new-schedule-refused');

  // Every 2 seconds; each task runs 3 s, so with one unfinished task allowed every other run is skipped.
  await page.getByLabel('Name').fill('Every two seconds');
  await page.getByLabel('Cron expression').fill('*/2 * * * * *');
  await page.getByLabel('Time zone').selectOption('Europe/London');
  await page.getByLabel('Skip missed runs').check();
  await page.getByLabel('Sleep (ms)').fill('3000');
  await page.getByLabel('Title').fill('Scheduled check');
  await page.getByLabel('Priority').selectOption({ label: 'High: ahead of normal' });
  await screenshot(page, '52-new-schedule-form');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await page.getByRole('heading', { level: 1, name: 'Every two seconds' }).waitFor();
  const id = new URL(page.url()).hash.slice('#/schedules/'.length);
  const stored = (await api<ScheduleView>(USER.key, 'GET', `/v1/schedules/${id}`)).body;
  expect(stored).toMatchObject({
    cron: '*/2 * * * * *',
    timezone: 'Europe/London',
    catchUp: 'skip',
    paused: false,
    template: { kind: 'task', type: 'diagnostic', title: 'Scheduled check', priority: 'high', params: { sleepMs: 3000 } },
  });
  await expect(page.locator('[data-state]').textContent()).resolves.toBe('Active');
  // The next runs still ahead (an every-2-s schedule's pass while the page is open; it reads them again).
  await expect(page.locator('.next-runs li').count()).resolves.toBeGreaterThanOrEqual(2);

  // The history: a run that submitted links to its task; a run that found the last task unfinished says so.
  await waitFor('a submitted and a skipped run', async () => {
    const h = await historyOf(USER.key, id);
    return h.items.some((o) => o.outcome === 'submitted') && h.items.some((o) => o.outcome === 'skipped');
  }, { timeoutMs: 30_000 });
  await page.getByRole('button', { name: 'Refresh' }).click();
  // The history read when the page opened may already show a submitted run: wait for the refreshed one's skip.
  await page.locator('.history-table tbody tr').filter({ hasText: /Skipped.*already has 1 unfinished diagnostic task/ }).first().waitFor();
  await page.getByRole('link', { name: 'View its task' }).first().waitFor();
  // Newest first, as the API has them.
  const shown = await page.locator('.history-table tbody time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
  const stamps = shown.map((t) => Date.parse(t ?? ''));
  expect([...stamps].sort((a, b) => b - a)).toEqual(stamps);
  await screenshot(page, '53-schedule-history');
  await page.getByRole('link', { name: 'View its task' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Scheduled check' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Every two seconds' }).waitFor();

  // Pause: no next runs, and the scheduler fires no more; resume: runs again.
  await page.getByRole('button', { name: 'Pause schedule' }).click();
  await page.locator('[data-state="paused"]').waitFor();
  await expect(page.locator('#next-heading + p').textContent()).resolves.toContain('None while the schedule is paused');
  expect((await api<ScheduleView>(USER.key, 'GET', `/v1/schedules/${id}`)).body).toMatchObject({ paused: true, nextRuns: [] });
  await screenshot(page, '54-schedule-paused');
  await page.getByRole('button', { name: 'Resume schedule' }).click();
  await page.locator('[data-state="active"]').waitFor();
  await expect(page.locator('.next-runs li').count()).resolves.toBeGreaterThanOrEqual(2);

  // Delete asks first; "Keep it" keeps it; "Yes" deletes it and goes back to the list.
  await page.getByRole('button', { name: 'Delete schedule' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm deleting' });
  await expect(confirm.textContent()).resolves.toContain('the tasks it already submitted stay');
  await screenshot(page, '55-schedule-delete-confirm');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  expect((await api(USER.key, 'GET', `/v1/schedules/${id}`)).status).toBe(200);
  await page.getByRole('button', { name: 'Delete schedule' }).click();
  await page.getByRole('group', { name: 'Confirm deleting' }).getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your schedules' }).waitFor();
  expect((await api(USER.key, 'GET', `/v1/schedules/${id}`)).status).toBe(404);
  await page.close();
}, 180_000);

test("older runs show a page at a time; an admin sees everyone's schedules with their owners", async () => {
  // A daily schedule of another user, with 45 runs recorded as the scheduler records them.
  const created = await api<ScheduleView>(USER2.key, 'POST', '/v1/schedules', { name: 'Morning report', cron: '0 7 * * *', timezone: 'Europe/London', task: { type: 'diagnostic', params: {} } });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const models = scheduleModels(env.conn);
  const history = new OccurrenceHistory(models);
  // 07:00 UTC of each of the last 45 days, newest first.
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const fires = Array.from({ length: 45 }, (_, i) => new Date(today - (i + 1) * 86_400_000 + 7 * 3_600_000));
  for (const fireAt of fires) await history.prepare(id, fireAt);
  await models.Occurrence.collection.insertMany(
    fires.map((fireAt, i) => ({
      _id: occurrenceId(id, fireAt),
      scheduleId: id,
      fireAt,
      outcome: i % 5 === 2 ? 'skipped' : 'submitted',
      ...(i % 5 === 2 ? { reason: 'teacher-2 already has 1 unfinished diagnostic task(s), the most allowed' } : { taskId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
      holder: 'test',
      at: fireAt,
      day: fireAt.toISOString().slice(0, 10),
      p: minuteNode(id, fireAt),
    })) as never[],
  );

  const mine = await browser.newPage();
  await signIn(mine, USER2.key, USER2.principal);
  await mine.goto(`${stack.gatewayUrl}/#/schedules/${id}`);
  await mine.getByRole('heading', { level: 1, name: 'Morning report' }).waitFor();
  const rows = mine.locator('.history-table tbody tr');
  await waitFor('the first page', async () => (await rows.count()) === 20);
  await mine.getByRole('button', { name: 'Show older runs' }).click();
  await waitFor('the second page', async () => (await rows.count()) === 40);
  await mine.getByRole('button', { name: 'Show older runs' }).click();
  await waitFor('the last page', async () => (await rows.count()) === 45);
  await expect(mine.getByRole('button', { name: 'Show older runs' }).count()).resolves.toBe(0);
  const shown = await mine.locator('.history-table tbody time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
  expect(shown).toEqual(fires.map((f) => f.toISOString()));
  await screenshot(mine, '56-schedule-older-runs');
  await mine.close();

  // Another user's schedule is not theirs to see; an admin sees it, with its owner.
  expect((await api(USER.key, 'GET', `/v1/schedules/${id}`)).status).toBe(404);
  const admin = await browser.newPage();
  await signIn(admin, ADMIN.key, ADMIN.principal);
  await openSchedules(admin);
  await admin.getByRole('heading', { level: 1, name: 'All schedules' }).waitFor();
  const row = admin.locator('.schedules-table tbody tr').filter({ hasText: 'Morning report' });
  await expect(row.locator('[data-label="Owner"]').textContent()).resolves.toBe(USER2.principal);
  await expect(row.locator('[data-label="When"]').textContent()).resolves.toContain('Europe/London');
  await screenshot(admin, '57-schedules-admin');
  await admin.close();
}, 120_000);
