import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';

/** A request this slow is written down even when it succeeds (the console polls every 400 ms to 10 s). */
const SLOW_MS = 1_000;

let pages = 0;

/** The running Jest test's name, when there is one (the journal names its file after it). */
function testName(): string {
  const state = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect?.getState?.();
  return state?.currentTestName ?? 'no test';
}

const describe = (r: Request): string => `${r.method()} ${r.url().replace(/([?&]access_token=)[^&]+/, '$1…')}`;

/** PAGE_JOURNAL=all writes down every answered request, not only the failed and the slow. */
const EVERY_REQUEST = process.env.PAGE_JOURNAL === 'all';

/**
 * Writes down what a page did, with the time since it opened: the addresses it went to, its console and
 * uncaught errors, requests that failed, answered 4xx/5xx or took over SLOW_MS, and every event stream
 * opened and ended. Saved to `<dir>/<n>-<test>.log` when the page closes, so a browser test that timed
 * out waiting for the page leaves what the page saw and asked for (CI keeps test-artifacts/).
 */
export function keepPageJournal(page: Page, dir: string): void {
  const opened = Date.now();
  const test = testName();
  const file = path.join(dir, `${String(++pages).padStart(3, '0')}-${test.replace(/[^\w-]+/g, '-').slice(0, 80)}.log`);
  const lines: string[] = [`${new Date(opened).toISOString()} ${test}`];
  const note = (line: string): void => void lines.push(`${((Date.now() - opened) / 1000).toFixed(3).padStart(8)} ${line}`);
  page.on('framenavigated', (frame) => frame === page.mainFrame() && note(`at ${frame.url()}`));
  page.on('console', (m) => note(`console.${m.type()} ${m.text()}`));
  page.on('pageerror', (err) => note(`uncaught ${err.message}`));
  page.on('request', (r) => r.resourceType() === 'eventsource' && note(`stream opened ${describe(r)}`));
  page.on('requestfailed', (r) => note(`failed ${describe(r)}: ${r.failure()?.errorText ?? '?'}`));
  page.on('response', (res) => res.status() >= 400 && note(`${res.status()} ${describe(res.request())}`));
  page.on('requestfinished', (r) => {
    const took = r.timing().responseEnd;
    if (r.resourceType() === 'eventsource') note(`stream ended ${describe(r)} after ${Math.round(took)} ms`);
    else if (took > SLOW_MS || EVERY_REQUEST) note(`${took > SLOW_MS ? 'slow ' : ''}${describe(r)}: ${Math.round(took)} ms`);
  });
  page.once('close', () => {
    note('closed');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
}
