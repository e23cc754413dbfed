/**
 * What RabbitMQ spends per task event, by how events travel (issue 19, Fast: the broker's share). On a RabbitMQ
 * node of its own (never the shared one), with the status service's real topology (`task-events` topic
 * exchange, bound to the consistent-hash exchange over 4 single-active quorum partitions), it publishes
 * `--events` outcome-sized events, confirmed, `--inflight` unconfirmed at a time, consumed by one consumer per
 * partition acking each turn's messages with `multiple` (as QueueConsumer does), and reads the node's CPU from
 * /proc for each mode, in alternating rounds:
 *
 *   single      one event per message through `task-events` (today's worker)
 *   grouped<n>  n events of n tasks in one message (what grouping a worker's outcomes would save)
 *   direct      one per message straight to the consistent-hash exchange (the topic exchange's step)
 *   unconfirmed one per message, no publisher confirm (the confirm's share; not an option: events must survive kills)
 *
 *   tsx bench/peers/broker-events.ts [--events=6000] [--rounds=3] [--inflight=64] [--modes=single,grouped8,direct,unconfirmed]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type Channel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { STATUS_PARTITION_EXCHANGE, TASK_EVENTS_EXCHANGE, eventRoutingKey } from '@taskyard/contracts';
import { declareExchanges, declareStatusPartitions } from '@taskyard/messaging';
import { startRabbitCluster } from '@taskyard/testing';
import { printTable, writeResults } from '../lib/report';

const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const EVENTS = Number(arg('events', '6000'));
const ROUNDS = Number(arg('rounds', '3'));
const INFLIGHT = Number(arg('inflight', '64'));
const MODES = arg('modes', 'single,grouped8,direct,unconfirmed').split(',');

/** A no-op task's outcome as the worker sends it (its start and the task as inserted ride on it). */
function outcome(i: number): Record<string, unknown> {
  const taskId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    kind: 'succeeded', artifacts: [], logs: [], started: { workerId: 'bench:1:abcdef12', at: new Date().toISOString() },
    inserted: { owner: 'bench-user', title: 'diagnostic', createdAt: new Date().toISOString(), maxAttempts: 3 },
    taskId, type: 'diagnostic', attempt: 1, runId: '7c3e9a52-3f55-4b8e-9d0c-1f2a3b4c5d6e', seq: 1, at: new Date().toISOString(),
  };
}

interface Mode { perMessage: number; exchange: string; confirmed: boolean }

function modeOf(name: string): Mode {
  if (name === 'single') return { perMessage: 1, exchange: TASK_EVENTS_EXCHANGE, confirmed: true };
  if (name === 'direct') return { perMessage: 1, exchange: STATUS_PARTITION_EXCHANGE, confirmed: true };
  if (name === 'unconfirmed') return { perMessage: 1, exchange: TASK_EVENTS_EXCHANGE, confirmed: false };
  const grouped = /^grouped(\d+)$/.exec(name);
  if (grouped) return { perMessage: Number(grouped[1]), exchange: TASK_EVENTS_EXCHANGE, confirmed: true };
  throw new Error(`unknown mode ${name}`);
}

const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

/** Publishes `events` events as `mode` says, at most INFLIGHT messages unconfirmed; resolves once all are consumed. */
async function publishAll(pub: ConfirmChannel, mode: Mode, consumed: () => number, events: number): Promise<void> {
  const target = consumed() + events;
  let inflight = 0;
  let wake: (() => void) | undefined;
  for (let i = 0; i < events; i += mode.perMessage) {
    const group = Array.from({ length: Math.min(mode.perMessage, events - i) }, (_, k) => outcome(i + k));
    const first = group[0] as { taskId: string };
    const body = Buffer.from(JSON.stringify(mode.perMessage === 1 ? group[0] : group));
    const props = { persistent: true, contentType: 'application/json', headers: { 'task-id': first.taskId }, messageId: `${i}` };
    const key = eventRoutingKey('diagnostic', 'succeeded', first.taskId);
    if (!mode.confirmed) {
      if (!pub.publish(mode.exchange, key, body, props)) await new Promise((r) => pub.once('drain', r));
      continue;
    }
    inflight += 1;
    pub.publish(mode.exchange, key, body, props, () => {
      inflight -= 1;
      wake?.();
    });
    while (inflight >= INFLIGHT) await new Promise<void>((r) => (wake = r));
  }
  while (consumed() < target) await new Promise((r) => setTimeout(r, 20));
}

/** One consumer per partition; each turn's deliveries acked with one `multiple` ack per channel. */
async function consumeAll(ch: Channel, queues: string[], counter: { events: number }): Promise<void> {
  await ch.prefetch(256);
  let last: ConsumeMessage | undefined;
  let scheduled = false;
  for (const q of queues) {
    await ch.consume(q, (msg) => {
      if (!msg) return;
      const body = JSON.parse(msg.content.toString('utf8')) as unknown;
      counter.events += Array.isArray(body) ? body.length : 1;
      last = msg;
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (last) ch.ack(last, true);
          last = undefined;
        });
      }
    });
  }
}

async function main(): Promise<void> {
  console.error('starting a private RabbitMQ node');
  const broker = await startRabbitCluster(1);
  const beam = Number(readFileSync(join(broker.state, 'run', 'rabbitmq.pid'), 'utf8').trim());
  const results: { round: number; mode: string; events: number; seconds: number; brokerMsPerEvent: number; eventsPerSecond: number; load: string }[] = [];
  try {
    const conn = await amqp.connect(broker.nodes[0].amqpUrl);
    const setup = await conn.createChannel();
    await declareExchanges(setup);
    const queues = await declareStatusPartitions(setup);
    // One channel per queue: single-active consumers, acked per channel with `multiple`.
    const counter = { events: 0 };
    for (const q of queues) await consumeAll(await conn.createChannel(), [q], counter);
    const pub = await conn.createConfirmChannel();
    await publishAll(pub, modeOf('single'), () => counter.events, 2000);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of MODES) {
        const mode = modeOf(name);
        await new Promise((r) => setTimeout(r, 1500));
        const cpu0 = cpuSeconds(beam);
        const t0 = performance.now();
        await publishAll(pub, mode, () => counter.events, EVENTS);
        const seconds = (performance.now() - t0) / 1000;
        // The quorum queues' log and snapshot work after the last ack, within the second after it.
        await new Promise((r) => setTimeout(r, 1000));
        const cpu = cpuSeconds(beam) - cpu0;
        const row = { round, mode: name, events: EVENTS, seconds: +seconds.toFixed(2), brokerMsPerEvent: +((1000 * cpu) / EVENTS).toFixed(3), eventsPerSecond: Math.round(EVENTS / seconds), load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
        results.push(row);
        console.error(`round ${round} ${name.padEnd(12)} broker ${row.brokerMsPerEvent.toFixed(3)} CPU-ms/event  ${row.eventsPerSecond}/s  load ${row.load}`);
      }
    }
    await conn.close();
  } finally {
    await broker.destroy();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  printTable(
    `RabbitMQ's CPU per task event (${EVENTS} events a round, ${INFLIGHT} in flight, medians of ${ROUNDS} alternating rounds)`,
    MODES.map((name) => {
      const rows = results.filter((r) => r.mode === name);
      return {
        mode: name,
        'broker CPU-ms per event, each round': rows.map((r) => r.brokerMsPerEvent.toFixed(3)).join(' / '),
        'median': median(rows.map((r) => r.brokerMsPerEvent)),
        'events/s (median)': median(rows.map((r) => r.eventsPerSecond)),
      };
    }),
  );
  const file = writeResults('broker-events', { events: EVENTS, inflight: INFLIGHT, rounds: ROUNDS, results });
  console.log(JSON.stringify({ file, results }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
