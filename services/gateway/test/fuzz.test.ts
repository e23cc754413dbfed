import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudImport } from '@taskyard/contracts';
import { keyOf, startHarness, testJobTypes, type Harness } from './gateway-harness';

/**
 * schemathesis (PyPI, installed by deploy/local/install.sh) fuzzes every operation of /docs/json with a
 * user key and an admin key: examples, boundary cases and random (valid and invalid) requests, a bounded
 * number per operation, with a fixed seed so a failure reproduces. Any 5xx, or a status, content type,
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
    'run',
    `${h.gateway.url}/docs/json`,
    '--url',
    h.gateway.url,
    '--header',
    `Authorization: Bearer ${keyOf(principal)}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '15',
    '--seed',
    SEED,
    '--request-timeout',
    '10',
    '--max-time',
    '20',
    '--no-color',
    '--report-dir',
    join(reports, principal),
  ];
  return new Promise((resolve) => {
    // cwd: its example database (.schemathesis/) goes to the temporary directory, not the checkout.
    execFile(ST, args, { cwd: reports, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

test('schemathesis finds no server error and no answer outside the document, as a user and as an admin', async () => {
  expect({ schemathesis: ST, installed: existsSync(ST) }).toEqual({ schemathesis: ST, installed: true });
  for (const principal of ['heidi', 'admin']) {
    const run = await fuzz(principal);
    // On failure the whole report is shown: each failing operation with a curl line that reproduces it.
    expect({ principal, code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ principal, code: 0, output: '' });
    expect(run.output).toMatch(/\d+ passed/);
  }
}, 180_000);
