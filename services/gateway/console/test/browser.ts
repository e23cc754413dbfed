import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { keepPageJournal } from './page-journal';

/** Debian's chromium (install.sh --browser installs it); playwright-core drives it, it downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The workspace root, found from the working directory (this file runs as CommonJS under Jest, as ESM under tsx). */
function workspaceRoot(): string {
  for (let dir = process.cwd(); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
  }
  return process.cwd();
}

/** Screenshots for a person to look at; test-artifacts/ is not committed. */
export const SHOTS_DIR = path.join(workspaceRoot(), 'test-artifacts', 'console');
/** Each page's journal (page-journal.ts): what it saw and asked for, to read after a failure. */
export const JOURNALS_DIR = path.join(SHOTS_DIR, 'pages');
/** The services' output of each browser test file (their warnings and errors; STACK_LOG_LEVEL for more). */
export const SERVICE_LOGS_DIR = path.join(SHOTS_DIR, 'services');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** A fresh page (its own sessionStorage, so its own sign-in). */
  newPage(width?: number): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a throw-away profile, so no state leaks between runs. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'taskyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async newPage(width = 1280) {
      const page = await context.newPage();
      keepPageJournal(page, JOURNALS_DIR);
      await page.setViewportSize({ width, height: width < 500 ? 812 : 900 });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-page screenshot at each width (desktop and phone by default), and fails when the page is
 * wider than the screen: at phone width nothing may need sideways scrolling.
 */
export async function screenshot(page: Page, name: string, widths: number[] = [1280, 375]): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const width of widths) {
    await page.setViewportSize({ width, height: width < 500 ? 812 : 900 });
    await page.screenshot({ path: path.join(SHOTS_DIR, `${name}-${width}.png`), fullPage: true });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > width) throw new Error(`${name} is ${scrollWidth}px wide on a ${width}px screen`);
  }
  if (original) await page.setViewportSize(original);
}
