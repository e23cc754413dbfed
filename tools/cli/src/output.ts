import type { LogLine, TaskView } from '@taskyard/contracts';

/** Prints for people or, with --json, one JSON document (or one per line for streams) for machines. */
export interface Output {
  json: boolean;
  /** The command's result: JSON as is, or the lines given for people. */
  result(value: unknown, human: () => string[]): void;
  /** A line for people on stderr (progress, notices): never mixed into --json's stdout. */
  note(line: string): void;
}

export function consoleOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value)}\n` : human().map((l) => `${l}\n`).join(''));
    },
    note(line) {
      stderr.write(`${line}\n`);
    },
  };
}

export const logLine = (l: LogLine): string => `${l.at} ${l.level.toUpperCase().padEnd(5)} ${l.message}`;

/** A task as `taskyard status` shows it. */
export function taskLines(t: TaskView): string[] {
  const lines = [
    `${t.id}  ${t.type}  ${t.status}${t.status === 'running' ? ` ${Math.round(t.progress)}%` : ''}`,
    `  title     ${t.title}`,
    `  owner     ${t.owner}${t.tag ? `  tag ${t.tag}` : ''}`,
    `  attempt   ${t.attempt} of ${t.maxAttempts}${t.priority && t.priority !== 'normal' ? `  priority ${t.priority}` : ''}`,
    `  created   ${t.createdAt}${t.runAt ? `  runs at ${t.runAt}` : ''}`,
  ];
  if (t.finishedAt) lines.push(`  finished  ${t.finishedAt}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
  if (t.error) lines.push(`  error     ${t.error.code}: ${t.error.message}`);
  if (t.children) lines.push(`  children  ${t.children.done + t.children.failed} of ${t.children.total} finished, ${t.children.failed} failed`);
  for (const a of t.artifacts) lines.push(`  file      ${a.name} (${a.size} bytes)${a.url ? '' : ' expired'}`);
  return lines;
}

/** Rows as aligned columns under a header. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}
