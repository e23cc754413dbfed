import { useEffect, useRef } from 'preact/hooks';
import type { LogLine } from '../api/api-types';

const timeOf = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString(undefined, { hour12: false });
};

/** The job's log lines, scrolled to the newest unless the reader has scrolled up to read older ones. */
export function LogTail({ lines, finished }: { lines: LogLine[]; finished: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  const onScroll = (): void => {
    const el = box.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  if (lines.length === 0) return <p class="muted">{finished ? 'The job logged nothing.' : 'No log lines yet.'}</p>;
  return (
    // Focusable so keyboard users can scroll it; not a live region, as a busy job would drown a screen reader.
    <div class="log" ref={box} onScroll={onScroll} tabIndex={0} role="log" aria-live="off" aria-label="Job log">
      {lines.map((line, i) => (
        <div key={i} class={`log-line log-${line.level}`}>
          <time dateTime={line.at}>{timeOf(line.at)}</time> <span class="log-level">{line.level.toUpperCase()}</span> {line.message}
        </div>
      ))}
    </div>
  );
}
