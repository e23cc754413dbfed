import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Runs one measured step in a fresh Node process (via tsx) and returns the JSON it prints last, so
 * each step's peak RSS is its own and not the benchmark driver's.
 */
export async function runChild<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
  const child = spawn(tsx, [script, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`);
  const last = out.trim().split('\n').pop()!;
  return JSON.parse(last) as T;
}

/** Peak resident set of this process so far, in MB. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
