import { SingleBar, Presets } from 'cli-progress';
import type { TaskyardClient, WatchFrame } from '@taskyard/client';
import type { LogLine, TaskStatus, TaskView } from '@taskyard/contracts';
import { logLine, type Output } from './output';

export interface FollowOptions {
  /** Print every frame as a JSON line (watch --json). */
  frames: boolean;
  /** Draw a progress bar on stderr (only on a terminal: a pipe gets the log lines alone). */
  bar: boolean;
}

/** The live bar of one task, drawn on stderr so stdout stays the command's result. */
function progressBar(enabled: boolean): { update(status: TaskStatus, progress: number): void; log(line: string, out: Output): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) {
    return { update: () => undefined, log: (line, out) => out.note(line), stop: () => undefined };
  }
  const bar = new SingleBar({ format: '{bar} {percentage}% | {status}', stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  bar.start(100, 0, { status: 'waiting' });
  return {
    update: (status, progress) => bar.update(Math.round(progress), { status }),
    // Log lines go above the bar: clear it, print, draw it again.
    log: (line) => {
      process.stderr.write(`\r\x1b[2K${line}\n`);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}

/**
 * Follows a task to its end: log lines as they come (stderr), a progress bar on a terminal, or the frames
 * as JSON lines; answers the task as finished.
 */
export async function followTask(client: TaskyardClient, id: string, out: Output, options: FollowOptions): Promise<TaskView> {
  const bar = progressBar(options.bar && !options.frames);
  // Lines already shown: the log read at the first snapshot and the stream's updates can overlap.
  const shown = new Set<string>();
  const show = (lines: readonly LogLine[]): void => {
    for (const l of lines) {
      const key = `${l.at}|${l.level}|${l.message}`;
      if (shown.has(key)) continue;
      shown.add(key);
      bar.log(logLine(l), out);
    }
  };
  let first = true;
  try {
    for await (const frame of client.watch(id)) {
      if (options.frames) out.result(frame, () => []);
      else {
        // Joining a task that already logged: show what came before, then what comes.
        if (frame.event === 'snapshot' && first) show(await client.logs(id));
        showFrame(frame, bar, show);
      }
      if (frame.event === 'snapshot') first = false;
      if (frame.event === 'end') break;
    }
  } finally {
    bar.stop();
  }
  return client.settled(id);
}

function showFrame(frame: WatchFrame, bar: ReturnType<typeof progressBar>, show: (lines: readonly LogLine[]) => void): void {
  switch (frame.event) {
    case 'snapshot':
      return bar.update(frame.task.status, frame.task.progress);
    case 'update':
      show(frame.update.logs ?? []);
      if (frame.update.status) bar.update(frame.update.status, frame.update.progress ?? 0);
      return;
    case 'reconnecting':
      return show([{ at: new Date().toISOString(), level: 'warn', message: `stream lost (${frame.reason}); reconnecting in ${frame.delayMs} ms` }]);
    case 'end':
      return bar.update(frame.status, 100);
  }
}
