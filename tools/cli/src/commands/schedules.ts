import { Option, type Command } from 'commander';
import { CATCH_UP_RULES, TASK_PRIORITIES, type CatchUpRule, type ScheduleTemplate, type ScheduleView, type TaskPriority } from '@taskyard/contracts';
import type { ScheduleSummary } from '@taskyard/client';
import { contextOf } from '../command-context';
import { table } from '../output';
import { paramsOf } from './tasks';

interface CreateFlags {
  cron: string;
  type: string;
  name?: string;
  timezone?: string;
  catchUp?: CatchUpRule;
  paused?: boolean;
  params?: string;
  param?: string[];
  title?: string;
  tag?: string;
  priority?: TaskPriority;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** What a schedule submits: a job type, or a workflow (declared by name, or ad hoc). */
function templateName(t: ScheduleTemplate): string {
  if (t.kind === 'task') return t.type;
  return typeof t.workflow === 'string' ? t.workflow : 'ad hoc workflow';
}

function scheduleLines(s: ScheduleSummary | ScheduleView): string[] {
  const lines = [
    `${s.id}  ${s.name}  ${s.paused ? 'paused' : 'active'}`,
    `  cron      ${s.cron} (${s.timezone}), missed runs: ${s.catchUp}`,
    `  ${s.template.kind.padEnd(8)}  ${templateName(s.template)}${s.template.title ? ` "${s.template.title}"` : ''} ${JSON.stringify(s.template.params ?? {})}`,
    ...s.nextRuns.map((t, i) => `  ${i === 0 ? 'next runs ' : '          '}${t}`),
  ];
  if ('history' in s) {
    for (const o of s.history) lines.push(`  ${o.fireAt}  ${o.outcome}${o.taskId ? `  task ${o.taskId}` : ''}${o.reason ? `  (${o.reason})` : ''}`);
  }
  return lines;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program.command('schedules').description('Cron schedules of tasks');

  schedules
    .command('list', { isDefault: true })
    .description('Your schedules with their next runs (admins: everyone\'s)')
    .option('--owner <principal>', "admins: one owner's schedules")
    .action(async (flags: { owner?: string }, command: Command) => {
      const { client, out } = contextOf(command);
      const items = await client.listSchedules(flags.owner);
      out.result({ items }, () =>
        table(['ID', 'NAME', 'STATE', 'CRON', 'SUBMITS', 'NEXT RUN'], items.map((s) => [s.id, s.name, s.paused ? 'paused' : 'active', `${s.cron} ${s.timezone}`, templateName(s.template), s.nextRuns[0] ?? '-'])),
      );
    });

  schedules
    .command('show')
    .description('A schedule with its next runs and its history')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      const s = await client.getSchedule(id);
      out.result(s, () => scheduleLines(s));
    });

  schedules
    .command('create')
    .description('Create a schedule that submits a task at each fire time')
    .requiredOption('--cron <expression>', 'five or six fields (seconds first when six)')
    .requiredOption('--type <type>', 'the job type to submit')
    .option('--name <name>', 'a name for people')
    .option('--timezone <iana>', 'the time zone the cron reads in (default UTC)')
    .addOption(new Option('--catch-up <rule>', 'runs missed while no scheduler ran: skip, or once').choices([...CATCH_UP_RULES]))
    .option('--paused', 'create it paused')
    .option('--params <json>', "the task's params as a JSON object")
    .option('-p, --param <key=value>', 'one param (repeatable)', collect)
    .option('--title <title>', "the task's title")
    .option('--tag <tag>', "the task's tag")
    .addOption(new Option('--priority <priority>', "the task's priority").choices([...TASK_PRIORITIES]))
    .action(async (flags: CreateFlags, command: Command) => {
      const { client, out } = contextOf(command);
      const s = await client.createSchedule({
        cron: flags.cron,
        name: flags.name,
        timezone: flags.timezone,
        catchUp: flags.catchUp,
        paused: flags.paused,
        task: { type: flags.type, params: paramsOf(flags), title: flags.title, tag: flags.tag, priority: flags.priority },
      });
      out.result(s, () => scheduleLines(s));
    });

  for (const [name, paused] of [['pause', true], ['resume', false]] as const) {
    schedules
      .command(name)
      .description(paused ? 'Stop firing (the schedule is kept)' : 'Fire again from the next time on')
      .argument('<id>', 'the schedule id')
      .action(async (id: string, _flags: object, command: Command) => {
        const { client, out } = contextOf(command);
        const s = await client.updateSchedule(id, { paused });
        out.result(s, () => [`${s.id} ${s.paused ? 'paused' : 'active'}`]);
      });
  }

  schedules
    .command('delete')
    .description('Delete a schedule (tasks it submitted are kept)')
    .argument('<id>', 'the schedule id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { client, out } = contextOf(command);
      await client.deleteSchedule(id);
      out.result({ id, deleted: true }, () => [`${id} deleted`]);
    });
}
