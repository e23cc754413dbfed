import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Option, type Command } from 'commander';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus, type TaskSubmission } from '@taskyard/contracts';
import { contextOf } from '../command-context';
import { UsageError, exitCodeOfStatus } from '../exit-codes';
import { logLine, table, taskLines } from '../output';
import { followTask } from '../task-progress';

interface SubmitFlags {
  params?: string;
  param?: string[];
  title?: string;
  tag?: string;
  priority?: TaskPriority;
  runAt?: string;
  delay?: number;
  file?: string;
  idempotencyKey?: string;
  callbackUrl?: string;
  wait?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function integer(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** `--params '{...}'` merged with `--param key=value` (a value that parses as JSON is taken as JSON). */
export function paramsOf(flags: Pick<SubmitFlags, 'params' | 'param'>): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (flags.params !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.params);
    } catch (err) {
      throw new UsageError(`--params is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--params must be a JSON object');
    params = parsed as Record<string, unknown>;
  }
  for (const pair of flags.param ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--param takes key=value, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    params[pair.slice(0, at)] = value;
  }
  return params;
}

/** A file name the server gave, reduced to a plain name: never a path out of the chosen folder. */
export function safeFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/'));
  if (base === '' || base === '.' || base === '..' || base.includes('\u0000')) throw new UsageError(`refusing to write a file named ${JSON.stringify(name)}`);
  return base;
}

export function registerTaskCommands(program: Command): void {
  program
    .command('submit')
    .description('Submit a task of a job type; prints its id (with --wait: follows it and exits with its outcome)')
    .argument('<type>', 'a job type (see GET /v1/job-types)')
    .option('--params <json>', 'the params as a JSON object')
    .option('-p, --param <key=value>', 'one param (repeatable; JSON values allowed)', collect)
    .option('--title <title>', 'a title for the task')
    .option('--tag <tag>', 'a client or tenant tag')
    .addOption(new Option('--priority <priority>', 'start order among waiting tasks').choices([...TASK_PRIORITIES]))
    .option('--run-at <iso-time>', 'do not start before this time')
    .option('--delay <ms>', 'do not start before this many ms from now', integer('--delay'))
    .option('-f, --file <zip>', 'a zip to upload, for job types that take one')
    .option('--idempotency-key <key>', 'a repeat within 24 h returns the first task')
    .option('--callback-url <url>', 'POSTed to when the task ends')
    .option('-w, --wait', 'follow the task until it ends; exit 0 succeeded, 1 failed, 3 cancelled')
    .action(async (type: string, flags: SubmitFlags, command: Command) => {
      const { client, out } = contextOf(command);
      const submission: TaskSubmission = {
        type,
        params: paramsOf(flags),
        title: flags.title,
        tag: flags.tag,
        priority: flags.priority,
        runAt: flags.runAt,
        delayMs: flags.delay,
        callbackUrl: flags.callbackUrl,
      };
      const options = { idempotencyKey: flags.idempotencyKey };
      const answer = flags.file
        ? await client.submitZip(submission, { name: path.basename(flags.file), data: await openAsBlob(flags.file, { type: 'application/zip' }) }, options)
        : await client.submit(submission, options);
      if (!flags.wait) {
        out.result(answer, () => [answer.id]);
        return;
      }
      out.note(`${answer.created ? 'submitted' : 'already submitted (same Idempotency-Key)'}: ${answer.id}`);
      const task = await followTask(client, answer.id, out, { frames: false, bar: !out.json });
      out.result(task, () => taskLines(task));
      process.exitCode = exitCodeOfStatus(task.status);
    });

  program
    .command('status')
    .description("A task's status, progress, error and files")
    .argument('<id>', 'the task id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      const task = await client.get(id);
      out.result(task, () => taskLines(task));
    });

  program
    .command('watch')
    .description('Follow a task live: a progress bar and its log lines; exit 0 succeeded, 1 failed, 3 cancelled')
    .argument('<id>', 'the task id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      const task = await followTask(client, id, out, { frames: out.json, bar: true });
      if (!out.json) out.result(task, () => taskLines(task));
      process.exitCode = exitCodeOfStatus(task.status);
    });

  program
    .command('logs')
    .description("A task's log lines")
    .argument('<id>', 'the task id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      const lines = await client.logs(id);
      out.result({ lines }, () => lines.map(logLine));
    });

  program
    .command('download')
    .description("Download a task's files (one by name, or all of them)")
    .argument('<id>', 'the task id')
    .argument('[name]', 'one file of the task (default: every file)')
    .option('-o, --output <path>', 'where to write the one named file (- for stdout)')
    .option('-d, --dir <folder>', 'the folder for the files', '.')
    .action(async (id: string, name: string | undefined, flags: { output?: string; dir: string }, command: Command) => {
      const { client, out } = contextOf(command);
      if (flags.output && !name) throw new UsageError('--output needs the name of one file');
      const names = name ? [name] : (await client.get(id)).artifacts.map((a) => a.name);
      if (!names.length) throw new UsageError(`task ${id} has no files`);
      const written: { name: string; path: string; size: number }[] = [];
      for (const file of names) {
        const { artifact, body } = await client.download(id, file);
        const target = flags.output ?? path.join(flags.dir, safeFileName(artifact.name));
        const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
        if (target === '-') {
          await pipeline(source, process.stdout, { end: false });
          continue;
        }
        await mkdir(path.dirname(target), { recursive: true });
        await pipeline(source, createWriteStream(target));
        written.push({ name: artifact.name, path: target, size: artifact.size });
      }
      if (written.length) out.result({ files: written }, () => written.map((w) => `${w.path} (${w.size} bytes)`));
    });

  program
    .command('list')
    .description('Your tasks, newest first (admins: everyone\'s)')
    .option('--type <type>', 'one job type')
    .addOption(new Option('--status <status>', 'one status').choices([...TASK_STATUSES]))
    .option('--tag <tag>', 'one tag')
    .option('--owner <principal>', "admins: one owner's tasks")
    .option('--limit <n>', 'tasks per page (1-100)', integer('--limit'), 20)
    .option('--cursor <cursor>', "a page's next cursor")
    .option('--all', 'every page, not just the first')
    .action(async (flags: { type?: string; status?: TaskStatus; tag?: string; owner?: string; limit: number; cursor?: string; all?: boolean }, command: Command) => {
      const { client, out } = contextOf(command);
      const query = { type: flags.type, status: flags.status, tag: flags.tag, owner: flags.owner, limit: flags.limit };
      const page = flags.all ? { items: await collectAll(client.listAll(query)) } : await client.list({ ...query, cursor: flags.cursor });
      out.result(page, () => [
        ...table(['ID', 'TYPE', 'STATUS', 'CREATED', 'TITLE'], page.items.map((t) => [t.id, t.type, t.status, t.createdAt, t.title])),
        ...('nextCursor' in page && page.nextCursor ? [`(more: --cursor ${page.nextCursor})`] : []),
      ]);
    });

  program
    .command('cancel')
    .description('Cancel a queued or running task')
    .argument('<id>', 'the task id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      const answer = await client.cancel(id);
      out.result(answer, () => [`${answer.id} ${answer.status === 'cancelled' ? 'cancelled' : 'cancel requested'}`]);
    });
}

async function collectAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
