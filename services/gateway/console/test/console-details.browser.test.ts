import type { Connection } from 'mongoose';
import type { Page } from 'playwright-core';
import { batchId, schoolId, schoolModels } from '@taskyard/school-data';
import { DEFAULT_KEYS, waitFor, type ProcessStack } from '@taskyard/testing';
import { screenshot, type Browser } from './browser';
import { consoleHelpers, importZip, startConsoleEnv, type ConsoleEnv } from './console-helpers';

/**
 * The console's details, each as a person meets it in Chromium (issue 20): a fan-out's parts under their
 * parent, partial successes flagged with their counts, the tag filter, a confirmed "Replay all", titles and
 * focus on every screen, words for a teacher, a live "Running for", a steady header, whole words in tables,
 * logs fetched once, and compressed, long-cached assets. Screenshots go to test-artifacts/console/.
 */

const [USER, USER_2, ADMIN] = DEFAULT_KEYS;
const SCHOOL = schoolId(1);

let env: ConsoleEnv;
let conn: Connection;
let stack: ProcessStack;
let browser: Browser;
const { api, submit, settled, signIn, openForm, waitForStatus } = consoleHelpers(() => stack.gatewayUrl);

beforeAll(async () => {
  env = await startConsoleEnv('console-details', {
    seed: { schools: 1, pupilsPerSchool: 60, weeks: 1, assessmentsPerBatch: 2, seed: 5 },
    workers: { 'assessment-report': 1, 'cloud-import': 1, diagnostic: 1 },
    // Quick retries, so a task that always fails reaches the dead-letter queue in about a second.
    limits: { diagnostic: { backoffMs: [200], maxAttempts: 2 } },
  });
  ({ conn, stack, browser } = env);
}, 300_000);

afterAll(() => env?.close(), 60_000);

/** What the page has focus on, and the document's title. */
const focusAndTitle = (page: Page): Promise<{ focused: string; title: string }> =>
  page.evaluate(() => ({ focused: `${document.activeElement?.tagName}:${document.activeElement?.textContent?.trim()}`, title: document.title }));

test("a fan-out's parts sit under their parent with their own titles, in the list and on its page; a skipped batch is flagged", async () => {
  const kept = [batchId(SCHOOL, 1), batchId(SCHOOL, 2)];
  const { channel } = (await schoolModels(conn).AssessmentBatch.findById(kept[0]).lean())!;
  await schoolModels(conn).AssessmentBatch.updateOne({ _id: kept[1] }, { $set: { channel } });
  // A third batch on another channel: the report skips it, which makes it a partial success.
  const skipped = `${SCHOOL}-b-elsewhere`;
  await schoolModels(conn).AssessmentBatch.create({ _id: skipped, schoolId: SCHOOL, channel: `not-${channel}`, name: 'Elsewhere' });
  const parent = await submit(USER.key, 'assessment-report', { batchFilters: { ids: [...kept, skipped], channels: [channel] }, output_format: 'csv' }, 'Autumn scores');
  expect(await settled(USER.key, parent)).toBe('succeeded');

  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.getByRole('link', { name: 'Autumn scores' }).waitFor();
  // The parts are not rows of the list of their own...
  await expect(page.getByRole('link', { name: /^Assessment report, batch/ }).count()).resolves.toBe(0);
  const row = page.locator('tr', { has: page.getByRole('link', { name: 'Autumn scores' }) });
  await expect(row.locator('.badge-partial').textContent()).resolves.toContain('1 of 3 batches skipped');
  // ...they open under their parent, each with its own title.
  await row.getByRole('button', { name: 'Show its 2 parts' }).click();
  const parts = page.locator(`tr.part-row[data-parent="${parent}"]`);
  await parts.nth(1).waitFor();
  await expect(parts.getByRole('link').allTextContents()).resolves.toEqual(kept.map((b) => `Assessment report, batch ${b}`));
  await expect(parts.locator('[data-status="succeeded"]').count()).resolves.toBe(2);
  await screenshot(page, '20-list-parts-under-parent');

  // The parent's page lists its parts by title and says what it skipped.
  await page.getByRole('link', { name: 'Autumn scores' }).click();
  await waitForStatus(page, 'succeeded');
  const partsRegion = page.getByRole('region', { name: 'Parts' });
  await partsRegion.locator('tbody tr').nth(1).waitFor();
  await expect(partsRegion.getByRole('link').allTextContents()).resolves.toEqual(kept.map((b) => `Assessment report, batch ${b}`));
  await expect(page.locator('.status-panel .banner-warning').textContent()).resolves.toContain('1 of 3 batches skipped (not on the chosen channels)');
  await screenshot(page, '21-task-parts');
  // A part's own page links back to its parent.
  await partsRegion.getByRole('link').first().click();
  await page.getByRole('heading', { level: 1, name: `Assessment report, batch ${kept[0]}` }).waitFor();
  await expect(page.getByRole('region', { name: 'Details' }).getByRole('link').textContent()).resolves.toBe(parent);
  await page.close();
}, 120_000);


test('an import that rejected rows reads as a partial success, with the count, on its page and in the list', async () => {
  const page = await browser.newPage();
  await signIn(page, USER_2.key, USER_2.principal);
  await openForm(page, 'Data import (zip)');
  await page.locator('#zip-file').setInputFiles(importZip('part', SCHOOL, 'partial.zip'));
  await page.getByLabel('Title').fill('Pupils with a gap');
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]+$/);
  await waitForStatus(page, 'succeeded');
  const panel = page.locator('.status-panel');
  await expect(panel.locator('.badge-partial').textContent()).resolves.toContain('1 of 4 rows rejected');
  await expect(panel.locator('.banner-warning').textContent()).resolves.toContain('Done, but not all of it: 1 of 4 rows rejected.');
  await screenshot(page, '22-import-partial');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  const row = page.locator('tr', { has: page.getByRole('link', { name: 'Pupils with a gap' }) });
  await expect(row.locator('.badge-partial').textContent()).resolves.toContain('1 of 4 rows rejected');
  await screenshot(page, '23-list-partial');
  await page.close();
}, 120_000);

test('the task list filters by tag, kept in the address', async () => {
  await submit(USER_2.key, 'diagnostic', { sleepMs: 1 }, 'Tagged for 4B', 'class-4b');
  await submit(USER_2.key, 'diagnostic', { sleepMs: 1 }, 'Tagged for 5C', 'class-5c');
  const page = await browser.newPage(375);
  await signIn(page, USER_2.key, USER_2.principal);
  await page.getByRole('link', { name: 'Tagged for 5C' }).waitFor();
  await page.getByRole('searchbox', { name: 'Tag' }).fill('class-4b');
  await page.getByRole('searchbox', { name: 'Tag' }).press('Enter');
  await page.waitForURL(/tag=class-4b/);
  // Both rows were on the unfiltered page: wait for the filtered answer to replace it, not for a row already there.
  await page.getByRole('link', { name: 'Tagged for 5C' }).waitFor({ state: 'detached', timeout: 15_000 });
  await page.getByRole('link', { name: 'Tagged for 4B' }).waitFor();
  await expect(page.getByRole('link', { name: 'Tagged for 5C' }).count()).resolves.toBe(0);
  await screenshot(page, '24-list-by-tag', [375, 1280]);
  // The filter survives a reload (it is in the address), and a tag nothing has says so.
  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Tag' }).inputValue()).resolves.toBe('class-4b');
  await page.getByRole('searchbox', { name: 'Tag' }).fill('no-such-tag');
  await page.getByRole('searchbox', { name: 'Tag' }).press('Enter');
  await page.getByText('No tasks match these filters.').waitFor();
  await page.close();
}, 60_000);

test('"Replay all" asks first, saying how many and whose, and replays only after yes', async () => {
  const ids = [await submit(USER.key, 'diagnostic', { failAttempts: 10 }, 'Fails for one'), await submit(USER_2.key, 'diagnostic', { failAttempts: 10 }, 'Fails for two')];
  for (const [i, id] of ids.entries()) expect(await settled([USER, USER_2][i].key, id)).toBe('failed');
  const dead = async (): Promise<number> => (await api<{ items: unknown[] }>(ADMIN.key, 'GET', '/v1/admin/dead-letters/diagnostic')).body.items.length;
  await waitFor('both dead letters', async () => (await dead()) === 2, { timeoutMs: 30_000 });

  const page = await browser.newPage();
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.goto(`${stack.gatewayUrl}/#/admin/dead-letters/diagnostic`);
  await page.getByRole('button', { name: 'Replay all (2)' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog.textContent()).resolves.toContain('Replay all 2 dead letters of Diagnostic?');
  await expect(dialog.textContent()).resolves.toContain(`They belong to 2 people: ${USER.principal} (1) and ${USER_2.principal} (1).`);
  await screenshot(page, '25-replay-all-confirm');
  // "No" replays nothing.
  await dialog.getByRole('button', { name: 'No, keep them' }).click();
  await expect(page.getByRole('alertdialog').count()).resolves.toBe(0);
  expect(await dead()).toBe(2);
  // "Yes" replays exactly those.
  await page.getByRole('button', { name: 'Replay all (2)' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, replay 2' }).click();
  await expect(page.locator('.banner-success').textContent()).resolves.toContain('Replayed 2 tasks as new tasks');
  await page.close();
  for (const [i, id] of ids.entries()) await api([USER, USER_2][i].key, 'POST', `/v1/tasks/${id}/cancel`);
}, 120_000);

test('in-app navigation to a message screen names the document after it and puts focus on its heading', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.getByRole('heading', { level: 1, name: 'Your tasks' }).waitFor();
  for (const [hash, heading] of [
    ['#/nowhere', 'Page not found'],
    ['#/admin/queues', 'Admins only'],
    ['#/new/no-such-type', 'Unknown job type'],
    ['#/also/nowhere', 'Page not found'],
  ]) {
    await page.evaluate((h) => (location.hash = h), hash);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForFunction((h) => document.activeElement?.textContent === h, heading, { timeout: 5000 });
    await expect(focusAndTitle(page)).resolves.toEqual({ focused: `H1:${heading}`, title: `${heading} · Taskyard` });
  }
  await screenshot(page, '26-page-not-found');
  await page.close();
}, 60_000);

test('an address changed while the signed-in frame is still starting opens that screen', async () => {
  const page = await browser.newPage();
  // The hash moves the instant the signed-in frame is in the document, before its effects have run (Preact
  // runs them after the next frame): what a fast `goto('/#/...')` after signing in, or a quick click, does.
  // The fresh-clone CI met it as a schedule page that never showed (the task list stayed).
  await page.addInitScript(() => {
    const watch = new MutationObserver(() => {
      if (!document.querySelector('nav[aria-label="Main"]')) return;
      watch.disconnect();
      location.hash = '#/schedules';
    });
    watch.observe(document, { childList: true, subtree: true });
  });
  await signIn(page, USER.key, USER.principal);
  await page.getByRole('heading', { level: 1, name: 'Your schedules' }).waitFor({ timeout: 10_000 }).catch(async (err: Error) => {
    throw new Error(`${err.message}\nat ${page.url()} the page shows: ${await page.locator('h1').allTextContents()}`);
  });
  await page.close();
}, 60_000);

test('the forms speak to a teacher: plain hints, option words, no internal names', async () => {
  const page = await browser.newPage();
  await signIn(page, USER.key, USER.principal);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New task' }).click();
  await page.getByRole('heading', { level: 1, name: 'New task' }).waitFor();
  await expect(page.locator('main').textContent()).resolves.not.toMatch(/seed \d|fan out|child task/i);

  await openForm(page, 'Spelling report');
  await expect(page.locator('main').textContent()).resolves.not.toMatch(/YYYY|MM-DD/);
  await expect(page.getByLabel('Report on').locator('option').allTextContents()).resolves.toEqual(['Choose…', 'One class', 'The whole school']);
  await screenshot(page, '27-spelling-form');

  await openForm(page, 'Assessment score report');
  await expect(page.getByLabel('File format').locator('option').allTextContents()).resolves.toEqual(['Choose…', 'CSV (opens in a spreadsheet)', 'JSON (for other software)']);
  // The values sent are still the contract's.
  await page.getByLabel('File format').selectOption({ label: 'JSON (for other software)' });
  await expect(page.getByLabel('File format').inputValue()).resolves.toBe('json');
  await screenshot(page, '28-assessment-form');
  await page.close();
}, 60_000);

test('"Running for" counts each second; the log is fetched once; the header keeps its height at phone width', async () => {
  const id = await submit(USER.key, 'diagnostic', { sleepMs: 8000, progressSteps: 2 }, 'Long enough to watch');
  const page = await browser.newPage(375);
  const logFetches: string[] = [];
  page.on('request', (req) => req.url().includes('/logs') && logFetches.push(req.url()));
  await page.clock.install();
  await signIn(page, USER.key, USER.principal);
  const headerHeights = new Map<string, number>();
  const header = async (screen: string): Promise<void> => {
    headerHeights.set(screen, (await page.locator('.app-header').boundingBox())!.height);
  };
  await header('tasks');
  await page.goto(`${stack.gatewayUrl}/#/tasks/${id}`);
  await waitForStatus(page, 'running', 30_000);
  await header('task');
  const runningFor = page.locator('.facts div', { hasText: 'Running for' }).locator('dd');
  const before = await runningFor.textContent();
  await page.clock.runFor(1000);
  await expect(runningFor.textContent()).resolves.not.toBe(before);
  await screenshot(page, '29-running-for', [375, 1280]);
  await page.clock.resume();
  await waitForStatus(page, 'succeeded', 30_000);
  // The running task's log: fetched once on opening and once more for the final lines, no more.
  expect(logFetches.length).toBeLessThanOrEqual(2);

  // A finished task's page (stored as finished) fetches its log once.
  await page.getByText('Finished: no more updates').waitFor();
  expect(await settled(USER.key, id)).toBe('succeeded');
  logFetches.length = 0;
  await page.reload();
  await page.getByText('Finished: no more updates').waitFor();
  await page.locator('.log').getByText('step 2 of 2').waitFor();
  expect(logFetches).toHaveLength(1);

  for (const screen of ['new', 'admin/queues', 'nowhere']) {
    await page.goto(`${stack.gatewayUrl}/#/${screen}`);
    await page.locator('h1').waitFor();
    await header(screen);
  }
  const heights = Object.fromEntries(headerHeights);
  expect(heights).toEqual(Object.fromEntries([...headerHeights.keys()].map((screen) => [screen, heights.tasks])));
  await page.close();

  // An admin's bar has more links; it too keeps one height on every screen.
  const admin = await browser.newPage(375);
  await signIn(admin, ADMIN.key, ADMIN.principal);
  const adminHeights: Record<string, number> = {};
  for (const screen of ['tasks', 'new', 'admin/queues', 'admin/dead-letters/diagnostic', 'nowhere']) {
    await admin.goto(`${stack.gatewayUrl}/#/${screen}`);
    await admin.locator('h1').waitFor();
    adminHeights[screen] = (await admin.locator('.app-header').boundingBox())!.height;
  }
  expect(adminHeights).toEqual(Object.fromEntries(Object.keys(adminHeights).map((screen) => [screen, adminHeights.tasks])));
  await screenshot(admin, '31-admin-header', [375]);
  await admin.close();
}, 90_000);

test('dead-letter tables keep words whole at either width', async () => {
  const id = await submit(USER_2.key, 'diagnostic', { failAttempts: 10 }, 'Fails with a long reason');
  expect(await settled(USER_2.key, id)).toBe('failed');
  type Letters = { items: { taskId: string }[] };
  const letters = async (): Promise<string[]> => (await api<Letters>(ADMIN.key, 'GET', '/v1/admin/dead-letters/diagnostic')).body.items.map((d) => d.taskId);
  await waitFor('its dead letter', async () => (await letters()).includes(id), { timeoutMs: 30_000 });
  const page = await browser.newPage();
  await signIn(page, ADMIN.key, ADMIN.principal);
  await page.goto(`${stack.gatewayUrl}/#/admin/dead-letters/diagnostic`);
  // A page that never shows the table says what it shows instead, beside what the API answers now.
  await page.locator('.dead-table').waitFor().catch(async (err: Error) => {
    throw new Error(`${err.message}\nthe page shows: ${await page.locator('main').innerText().catch(() => '?')}\nthe API lists: ${(await letters()).join(', ')}`);
  });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    // A word split over two lines shows as a text node whose characters sit on more than one line box.
    const broken = await page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.querySelector('.dead-table tbody')!, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
          if (tops.size > 1) found.push(match[0]);
        }
      }
      return found;
    });
    expect({ width, broken }).toEqual({ width, broken: [] });
  }
  await screenshot(page, '30-dead-letters');
  await page.close();
  await api(USER_2.key, 'POST', `/v1/tasks/${id}/cancel`);
}, 60_000);

test('the script and stylesheet come compressed and are cached for a year; the page itself is revalidated', async () => {
  const page = await browser.newPage();
  const answers = new Map<string, Record<string, string>>();
  page.on('response', (res) => answers.set(new URL(res.url()).pathname, res.headers()));
  await page.goto(`${stack.gatewayUrl}/`);
  await page.getByLabel('API key').waitFor();
  const assets = [...answers.keys()].filter((p) => /^\/assets\/.+\.(js|css)$/.test(p));
  expect(assets.map((p) => p.split('.').pop()).sort()).toEqual(['css', 'js']);
  for (const asset of assets) {
    expect(answers.get(asset)).toMatchObject({ 'content-encoding': expect.stringMatching(/^(br|gzip)$/), 'cache-control': 'public, max-age=31536000, immutable' });
  }
  expect(answers.get('/')?.['cache-control']).toBe('no-cache');
  await page.close();
}, 60_000);
