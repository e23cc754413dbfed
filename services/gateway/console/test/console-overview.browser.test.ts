import type { OverviewView } from '@taskyard/contracts';
import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, startConsoleEnv, type ConsoleEnv } from './console-helpers';

/**
 * The overview (issue 16) and the task timeline in Chromium against the whole product on real servers:
 * an admin lands on everyone's figures, charted live per job type, with the top failure reasons linking
 * to the failed tasks; a user sees their own; a failed task's page shows each attempt with its error.
 * Screenshots go to test-artifacts/console/.
 */

const [USER, USER2, ADMIN] = DEFAULT_KEYS;

let env: ConsoleEnv;
let stack: ProcessStack;
let browser: Browser;
const { api, submit, settled, signIn } = consoleHelpers(() => stack.gatewayUrl);

beforeAll(async () => {
  env = await startConsoleEnv('console-overview', {
    seed: { schools: 1, pupilsPerSchool: 1, weeks: 1, assessmentsPerBatch: 0, seed: 5 },
    workers: { diagnostic: 1 },
    limits: { diagnostic: { maxAttempts: 2, backoffMs: [300], unfinishedPerOwner: 20 } },
    env: { STATS_FLUSH_MS: '300' },
  });
  ({ stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

const started = async (key: string): Promise<number> => {
  const { body } = await api<OverviewView>(key, 'GET', '/v1/overview');
  return body.hour.series.find((s) => s.type === 'diagnostic')!.started.reduce((a, b) => a + b, 0);
};

let failedId: string;

test("an admin lands on everyone's overview: a live chart per job type, queues, waits and run times, failure reasons linking to the failed tasks", async () => {
  for (const ms of [100, 300, 600]) await settled(USER.key, await submit(USER.key, 'diagnostic', { sleepMs: ms }, `Report ${ms}`));
  failedId = await submit(USER2.key, 'diagnostic', { failAttempts: 5 }, 'Always fails');
  expect(await settled(USER2.key, failedId)).toBe('failed');
  await waitFor('the counts flushed', async () => ((await started(ADMIN.key)) === 5 ? true : undefined));

  const page = await browser.newPage();
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  const chart = page.locator('figure[data-type="diagnostic"]');
  await chart.locator('canvas').waitFor();
  await expect(chart.locator('figcaption').textContent()).resolves.toContain('5 started, 3 succeeded, 1 failed');
  await page.getByText("Everyone's tasks.").waitFor();
  const failure = page.locator('.failure').first();
  await expect(failure.textContent()).resolves.toMatch(/2×.*diagnostic-failure.*diagnostic failure on attempt/);
  const latencyRow = page.locator('.overview-table tr', { has: page.getByRole('rowheader', { name: 'Diagnostic' }) }).last();
  await expect(latencyRow.locator('td').first().textContent()).resolves.toBe('5');
  await screenshot(page, '50-overview');

  // Live: a new task shows in the chart without a reload.
  await settled(USER.key, await submit(USER.key, 'diagnostic', {}, 'One more'));
  await waitFor('the chart to count the new task', async () => ((await chart.locator('figcaption').textContent())?.includes('6 started') ? true : undefined), { timeoutMs: 20_000 });

  await page.getByRole('button', { name: 'Last day' }).click();
  await page.getByRole('heading', { name: 'Tasks: Last day, per hour' }).waitFor();
  await expect(chart.locator('figcaption').textContent()).resolves.toContain('6 started');
  await screenshot(page, '51-overview-day');

  // The failure reason links to the failed tasks of that type.
  await failure.getByRole('link').click();
  await page.waitForURL((url) => url.hash === '#/tasks?type=diagnostic&status=failed');
  await page.getByRole('link', { name: 'Always fails' }).waitFor();
  await page.close();
});

test('a user lands on their tasks, and their overview counts only their own', async () => {
  const page = await browser.newPage();
  await signIn(page, USER2.key, USER2.principal);
  await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await page.getByText('Your tasks.').waitFor();
  const chart = page.locator('figure[data-type="diagnostic"]');
  await expect(chart.locator('figcaption').textContent()).resolves.toContain('2 started, 0 succeeded, 1 failed');
  await screenshot(page, '52-overview-user');
  await page.close();
});

test("a failed task's timeline shows each attempt with its error and when the retry was due", async () => {
  const page = await browser.newPage();
  await signIn(page, USER2.key, USER2.principal);
  await page.goto(`${stack.gatewayUrl}/#/tasks/${failedId}`);
  const timeline = page.locator('.timeline');
  await timeline.waitFor();
  const lines = (await timeline.locator('.timeline-title').allTextContents()).map((t) => t.replace(/ after .*?(;|$)/, ' after …$1').replace(/due at .*/, 'due at …'));
  expect(lines).toEqual(['Submitted', 'Attempt 1 of 2 started', 'Attempt 1 failed after …; retry due at …', 'Attempt 2 of 2 started', 'Attempt 2 failed after …', 'Finished: failed']);
  await expect(timeline.locator('.timeline-detail').allTextContents()).resolves.toEqual(['diagnostic failure on attempt 1', 'diagnostic failure on attempt 2']);
  await timeline.scrollIntoViewIfNeeded();
  await screenshot(page, '53-task-timeline');
  await page.close();
});
