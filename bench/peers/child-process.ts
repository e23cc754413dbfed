import { spawn, type ChildProcess } from 'node:child_process';

/** Starts a helper process of the benchmark; its output goes to our stderr (the table's stream). */
export function startChild(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): ChildProcess {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.on('data', () => undefined);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs a process to its end; rejects on a non-zero exit. Returns its stdout. */
export function runToEnd(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<string> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)))));
}

/** A helper that prepares itself, prints "ready", then waits for a line on its stdin before it does its work. */
export interface ReadyChild {
  pid: number | undefined;
  /** Sends the line; resolves with its stdout once it has exited (rejects on a non-zero exit). */
  go(): Promise<string>;
}

/** Starts a ReadyChild and resolves once it has printed "ready". */
export function startReadyChild(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<ReadyChild> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<string>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)))));
  return new Promise((resolve, reject) => {
    exited.catch(reject);
    child.stdout.on('data', (c: Buffer) => {
      const wasReady = /^ready$/m.test(out);
      out += c.toString();
      if (wasReady || !/^ready$/m.test(out)) return;
      resolve({
        pid: child.pid,
        go: () => {
          child.stdin.end('go\n');
          return exited;
        },
      });
    });
  });
}
