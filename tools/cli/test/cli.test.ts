import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testServers, startProcessStack, type ProcessStack, type TestServers } from '@taskyard/testing';
import { ExitCode } from '../src/exit-codes';

// The `taskyard` command run as a user runs it, against the real stack.
let servers: TestServers;
let stack: ProcessStack;
let home: string;

const BIN = path.resolve(__dirname, '../bin/taskyard.js');
const LIMITS = { diagnostic: { timeoutMs: 30_000, backoffMs: [500], prefetch: 4 } };
const userKey = (): string => stack.keys.find((k) => k.role === 'user')!.key;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function taskyard(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base: Record<string, string | undefined> = { ...process.env, XDG_CONFIG_HOME: home, TASKYARD_URL: stack.gatewayUrl, TASKYARD_API_KEY: userKey(), TASKYARD_CONFIG: undefined };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env } as NodeJS.ProcessEnv, cwd: home, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'taskyard-cli-'));
  servers = await testServers('cli');
  stack = await startProcessStack({ servers, workers: { diagnostic: 1 }, limits: LIMITS });
}, 120_000);
afterAll(async () => {
  await stack?.stop(5000);
  await servers?.cleanup();
});

test('submit --wait follows a task to success and prints it as JSON; status, logs and download', async () => {
  const run = await taskyard(['--json', 'submit', 'diagnostic', '-p', 'progressSteps=2', '-p', 'sleepMs=300', '-p', 'artifactBytes=5000', '--title', 'from the cli', '--wait']);
  expect([run.code, run.stderr]).toEqual([ExitCode.Ok, expect.stringContaining('submitted: ')]);
  const task = json<{ id: string; status: string; title: string }>(run);
  expect(task).toMatchObject({ status: 'succeeded', title: 'from the cli' });

  const status = await taskyard(['status', task.id]);
  expect(status.code).toBe(ExitCode.Ok);
  expect(status.stdout).toContain(`${task.id}  diagnostic  succeeded`);
  expect(status.stdout).toContain('file      diagnostic.bin (5000 bytes)');

  const logs = await taskyard(['logs', task.id]);
  expect(logs.stdout).toMatch(/INFO +step 2 of 2/);

  const download = await taskyard(['--json', 'download', task.id, '--dir', 'out']);
  expect(download.code).toBe(ExitCode.Ok);
  expect(readFileSync(path.join(home, 'out', 'diagnostic.bin')).length).toBe(5000);
});

test('a failed task exits 1 with --wait, a cancelled one 3 under watch', async () => {
  const failed = await taskyard(['submit', 'diagnostic', '--params', '{"failAttempts": 100}', '--wait']);
  expect(failed.code).toBe(ExitCode.TaskFailed);
  expect(failed.stdout).toContain('error     diagnostic-failure');

  const submitted = await taskyard(['submit', 'diagnostic', '-p', 'hang=true']);
  const id = submitted.stdout.trim();
  const watching = taskyard(['--json', 'watch', id]);
  const cancel = await taskyard(['cancel', id]);
  expect([cancel.code, cancel.stdout]).toEqual([ExitCode.Ok, expect.stringContaining(id)]);
  const watched = await watching;
  expect(watched.code).toBe(ExitCode.TaskCancelled);
  const frames = watched.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; status?: string });
  expect(frames[0]!.event).toBe('snapshot');
  expect(frames.at(-1)).toEqual({ event: 'end', status: 'cancelled' });
});

test('watch prints the log lines as they come, for people', async () => {
  const id = (await taskyard(['submit', 'diagnostic', '-p', 'progressSteps=3', '-p', 'sleepMs=1500'])).stdout.trim();
  const run = await taskyard(['watch', id]);
  expect(run.code).toBe(ExitCode.Ok);
  // Each line once, in order, whether it came before the watch joined or after.
  expect(run.stderr.match(/step \d of 3/g)).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
  expect(run.stdout).toContain(`${id}  diagnostic  succeeded`);
});

test('list shows the caller\'s tasks as a table or JSON pages', async () => {
  const tag = `cli-${Date.now()}`;
  for (let i = 0; i < 3; i++) await taskyard(['submit', 'diagnostic', '--tag', tag]);
  const page = json<{ items: { id: string }[]; nextCursor?: string }>(await taskyard(['--json', 'list', '--tag', tag, '--limit', '2']));
  expect(page.items).toHaveLength(2);
  const next = json<{ items: unknown[]; nextCursor?: string }>(await taskyard(['--json', 'list', '--tag', tag, '--limit', '2', '--cursor', page.nextCursor!]));
  expect([next.items.length, next.nextCursor]).toEqual([1, undefined]);
  const all = json<{ items: unknown[] }>(await taskyard(['--json', 'list', '--tag', tag, '--limit', '1', '--all']));
  expect(all.items).toHaveLength(3);
  const table = await taskyard(['list', '--tag', tag]);
  expect(table.stdout.split('\n')[0]).toMatch(/^ID +TYPE +STATUS +CREATED +TITLE$/);
});

test('schedules: create, list, pause, resume, show, delete', async () => {
  const created = json<{ id: string; nextRuns: string[] }>(
    await taskyard(['--json', 'schedules', 'create', '--cron', '0 3 * * *', '--timezone', 'Europe/London', '--type', 'diagnostic', '--name', 'nightly', '-p', 'sleepMs=1']),
  );
  expect(created.nextRuns).toHaveLength(5);
  const listed = await taskyard(['schedules', 'list']);
  expect(listed.stdout).toMatch(new RegExp(`${created.id} +nightly +active +0 3 \\* \\* \\* Europe/London +diagnostic`));
  expect(json<{ paused: boolean }>(await taskyard(['--json', 'schedules', 'pause', created.id])).paused).toBe(true);
  expect(json<{ paused: boolean }>(await taskyard(['--json', 'schedules', 'resume', created.id])).paused).toBe(false);
  expect((await taskyard(['schedules', 'show', created.id])).stdout).toContain('cron      0 3 * * * (Europe/London)');
  expect((await taskyard(['schedules', 'delete', created.id])).code).toBe(ExitCode.Ok);
  expect((await taskyard(['schedules', 'show', created.id])).code).toBe(ExitCode.NotFound);
});

test('exit codes and messages for what goes wrong', async () => {
  const missing = await taskyard(['status', '00000000-0000-4000-8000-000000000000']);
  expect([missing.code, missing.stderr]).toEqual([ExitCode.NotFound, expect.stringContaining('404 not-found')]);
  const badParams = await taskyard(['submit', 'diagnostic', '-p', 'sleepMs="long"']);
  expect(badParams.code).toBe(ExitCode.Refused);
  expect(badParams.stderr).toMatch(/sleepMs/);
  expect((await taskyard(['submit', 'diagnostic', '--params', '[1]'])).code).toBe(ExitCode.Usage);
  expect((await taskyard(['submit', 'diagnostic', '--priority', 'urgent'])).code).toBe(ExitCode.Usage);
  const noKey = await taskyard(['list'], { TASKYARD_API_KEY: undefined });
  expect([noKey.code, noKey.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('no API key')]);
  expect((await taskyard(['list'], { TASKYARD_API_KEY: 'wrong' })).code).toBe(ExitCode.Refused);
  const down = await taskyard(['list'], { TASKYARD_URL: 'http://127.0.0.1:9' });
  expect(down.code).toBe(ExitCode.Unavailable);
});

test('the key and URL come from a config file when the environment has none; an open file is refused', async () => {
  const file = path.join(home, 'taskyard', 'config.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ url: stack.gatewayUrl, apiKey: userKey() }));
  chmodSync(file, 0o600);
  const env = { TASKYARD_API_KEY: undefined, TASKYARD_URL: undefined };
  expect((await taskyard(['list'], env)).code).toBe(ExitCode.Ok);
  chmodSync(file, 0o644);
  const open = await taskyard(['list'], env);
  expect([open.code, open.stderr]).toEqual([ExitCode.Usage, expect.stringContaining('chmod 600')]);
});
