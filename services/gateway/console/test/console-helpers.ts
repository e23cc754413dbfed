import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import mongoose, { type Connection } from 'mongoose';
import type { Page } from 'playwright-core';
import { seedDataset } from '@taskyard/school-data';
import { startProcessStack, testServers, waitFor, type ProcessStack, type StackOptions, type TestServers } from '@taskyard/testing';
import { launchBrowser, screenshot, SERVICE_LOGS_DIR, type Browser } from './browser';

/** What a console browser test file runs against: real servers, a seeded dataset, the whole stack, Chromium. */
export interface ConsoleEnv {
  servers: TestServers;
  conn: Connection;
  stack: ProcessStack;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleEnv(
  label: string,
  opts: { seed: Parameters<typeof seedDataset>[1] } & Pick<StackOptions, 'workers' | 'limits' | 'env'>,
): Promise<ConsoleEnv> {
  const servers = await testServers(label);
  const conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  await seedDataset(conn, opts.seed);
  // The services' output goes to a file beside the page journals, so a failed CI run has the gateway's side.
  mkdirSync(SERVICE_LOGS_DIR, { recursive: true });
  const log = process.env.STACK_STDIO === 'inherit' ? 'inherit' : openSync(path.join(SERVICE_LOGS_DIR, `${label}.log`), 'w');
  const stack = await startProcessStack({ servers, workers: opts.workers, limits: opts.limits, env: opts.env, stdio: log });
  const browser = await launchBrowser();
  return {
    servers,
    conn,
    stack,
    browser,
    async close() {
      await browser.close();
      await stack.stop();
      if (typeof log === 'number') closeSync(log);
      await conn.close();
      await servers.cleanup();
    },
  };
}

/**
 * What the console's browser tests do again and again against a running gateway (`gatewayUrl` is read at
 * each call, as the stack starts in beforeAll): call the JSON API to set up what a test is not about, sign
 * in, open a form, wait for a status.
 */
export function consoleHelpers(gatewayUrl: () => string) {
  /** The JSON API directly. */
  async function api<T>(key: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${gatewayUrl()}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function submit(key: string, type: string, params: Record<string, unknown>, title?: string, tag?: string): Promise<string> {
    const res = await api<{ id: string }>(key, 'POST', '/v1/tasks', { type, params, title, tag });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  const statusOf = async (key: string, id: string): Promise<string> => (await api<{ status: string }>(key, 'GET', `/v1/tasks/${id}`)).body.status;
  /** Waits until the task is finished, through the API, and gives its final status. */
  const settled = (key: string, id: string): Promise<string> =>
    waitFor(`task ${id} to finish`, async () => {
      const status = await statusOf(key, id);
      return ['succeeded', 'failed', 'cancelled'].includes(status) ? status : undefined;
    }, { timeoutMs: 60_000 });

  async function signIn(page: Page, key: string, principal: string): Promise<void> {
    await page.goto(`${gatewayUrl()}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const shown = await page.locator('.who-name').textContent();
    if (shown !== principal) throw new Error(`signed in as ${shown}, not ${principal}`);
  }

  /** Opens the form of a job type the way a person does: New task, then the type's link. */
  async function openForm(page: Page, title: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New task' }).click();
    await page.getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
  }

  /** Waits for the task page's status badge to read `status`, with no reload of the page in between. */
  async function waitForStatus(page: Page, status: string, timeoutMs = 90_000): Promise<void> {
    try {
      await page.locator(`.status-panel [data-status="${status}"]`).waitFor({ timeout: timeoutMs });
    } catch (err) {
      await screenshot(page, `failed-waiting-for-${status}`, [1280]);
      const shown = await page.locator('.status-panel').textContent().catch(() => 'no status panel');
      throw new Error(`the task page did not reach ${status}; it shows: ${shown}`, { cause: err });
    }
  }

  return { api, submit, statusOf, settled, signIn, openForm, waitForStatus };
}

/**
 * Waits until the element `id` has focus. A form moves focus to its first field in error on a timer after the
 * render that shows the errors (task-fields.tsx), so the error's text can be on the page while focus is still
 * on the button pressed: reading `document.activeElement` once raced that timer under load.
 */
export async function waitForFocus(page: Page, id: string, timeoutMs = 5_000): Promise<void> {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: timeoutMs });
  } catch (err) {
    const focused = await page.evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}`).catch(() => 'unknown');
    throw new Error(`focus did not move to #${id} within ${timeoutMs} ms; it is on ${focused}`, { cause: err });
  }
}

/**
 * A zip as a school would upload it, saved as `fileName`: one new class `<prefix>-c1`, two good pupils and a
 * third with no given name (pupils.csv row 4: rejected). Four rows in all.
 */
export function importZip(prefix: string, school: string, fileName: string): string {
  const zip = new AdmZip();
  zip.addFile('classes.csv', Buffer.from(`class_id,school_id,name,year_group\n${prefix}-c1,${school},Imported 1,4\n`));
  const pupils = ['Ada,Lovelace', 'Alan,Turing', ',Nameless'].map((name, i) => `${prefix}-p${i + 1},${school},${prefix}-c1,${name}`);
  zip.addFile('pupils.csv', Buffer.from(`pupil_id,school_id,class_id,given_name,family_name\n${pupils.join('\n')}\n`));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'taskyard-zip-')), fileName);
  writeFileSync(file, zip.toBuffer());
  return file;
}
