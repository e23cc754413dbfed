import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Runs one measured step in a fresh Node process (via tsx) and returns the JSON it prints last, so
 * each step's peak RSS is its own and not the benchmark driver's. `nodeFlags`: the process's own Node/V8
 * flags (e.g. those a service is started with).
 */
export async function runChild<T>(script: string, args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<T> {
  const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
  const [command, argv] = nodeFlags.length ? [process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args]] : [tsx, [script, ...args]];
  const child = spawn(command, argv, { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`);
  const last = out.trim().split('\n').pop()!;
  return JSON.parse(last) as T;
}

/** Peak resident set of this process so far, in MB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
