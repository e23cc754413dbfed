import type { Occurrence, ScheduleSummary } from '../api/api-types';

/** What a schedule runs, in words: the job type's title, and the task's title when it has one. */
export function scheduleWhat(s: Pick<ScheduleSummary, 'template'>, titleOf: (type: string) => string): string {
  const t = s.template;
  if (t.kind !== 'task') return typeof t.workflow === 'string' ? `Workflow ${t.workflow}` : `Workflow ${t.workflow.name}`;
  return t.title ? `${titleOf(t.type)}: ${t.title}` : titleOf(t.type);
}

/** The state a schedule is in, as its badge says it. */
export const scheduleState = (s: Pick<ScheduleSummary, 'paused'>): { label: string; css: string } =>
  s.paused ? { label: 'Paused', css: 'badge-cancelled' } : { label: 'Active', css: 'badge-succeeded' };

/** An occurrence's outcome in words. */
export function occurrenceText(o: Occurrence): string {
  if (o.outcome === 'submitted') return o.catchUp ? 'Submitted late, to catch up' : 'Submitted';
  if (o.outcome === 'skipped') return 'Skipped';
  return 'Being submitted';
}
