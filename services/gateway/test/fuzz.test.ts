import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudImport } from '@taskyard/contracts';
import { keyOf, startHarness, testJobTypes, type Harness } from './gateway-harness';

/**
 * schemathesis (PyPI, installed by deploy/local/install.sh) fuzzes every operation of /docs/json with a
 * user key and an admin key: examples and random (valid and invalid) requests, a bounded number per
 * operation, with a fixed seed so a failure reproduces. Any 5xx, or a status, content type,
 * header or body the document does not declare for the operation, fails the run.
 */
const ST = process.env.SCHEMATHESIS_BIN ?? '';
const SEED = process.env.FUZZ_SEED ?? '20';
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];

let h: Harness;
const reports = mkdtempSync(join(tmpdir(), 'fuzz-'));
beforeAll(async () => {
  const jobTypes = testJobTypes((defs) => defs.set('cloud-import', { ...cloudImport, upload: { maxBytes: 64 * 1024, maxUncompressedBytes: 200_000, maxEntries: 5 } }));
  h = await startHarness('gw-fuzz', { jobTypes });
});
afterAll(async () => {
  await h?.close();
  rmSync(reports, { recursive: true, force: true });
});

function fuzz(principal: string): Promise<{ code: number; output: string }> {
  const args = [
    '--config-file',
    join(__dirname, 'schemathesis.toml'),
    'run',
    `${h.gateway.url}/docs/json`,
    '--url',
    h.gateway.url,
    '--header',
    `Authorization: Bearer ${keyOf(principal)}`,
    '--checks',
    CHECKS.join(','),
    // The coverage phase (every boundary of every parameter) is left to runs by hand: about 800 requests,
    // minutes on a loaded machine. Fuzzing sends valid and invalid requests alike.
    '--phases',
    'examples,fuzzing',
    '--max-examples',
    '5',
    '--seed',
    SEED,
    '--request-timeout',
    '5',
    '--workers',
    '2',
    '--no-color',
    '--report-dir',
    join(reports, principal),
  ];
  return new Promise((resolve) => {
    // cwd: its example database (.schemathesis/) goes to the temporary directory, not the checkout.
    execFile(ST, args, { cwd: reports, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

test('schemathesis finds no server error and no answer outside the document, as a user and as an admin', async () => {
  expect({ schemathesis: ST, installed: existsSync(ST) }).toEqual({ schemathesis: ST, installed: true });
  // Both keys at once (the work is bounded by --max-examples per operation and phase, not by a clock).
  const runs = await Promise.all(['heidi', 'admin'].map(async (principal) => ({ principal, ...(await fuzz(principal)) })));
  for (const { principal, code, output } of runs) {
    // On failure the whole report is shown: each failing operation with a curl line that reproduces it.
    expect({ principal, code, output: code === 0 ? '' : output }).toEqual({ principal, code: 0, output: '' });
    // Not an empty run: every operation of the document was selected and tested (none left out), none skipped.
    // On a mismatch the whole report is shown too: it lists why operations were skipped (a CI run under load
    // 25 skipped one of 49 as a user, with nothing else to tell which or why).
    const total = /Selected: \d+\/(\d+)/.exec(output)?.[1];
    const counts = { principal, selected: /Selected: (\d+)/.exec(output)?.[1], tested: /Tested: (\d+)/.exec(output)?.[1], skipped: /Skipped: \d+/.test(output) };
    const expected = { principal, selected: total, tested: total, skipped: false };
    const complete = JSON.stringify(counts) === JSON.stringify(expected);
    expect({ ...counts, output: complete ? '' : output }).toEqual({ ...expected, output: '' });
    expect(Number(total)).toBeGreaterThan(0);
  }
}, 260_000);
