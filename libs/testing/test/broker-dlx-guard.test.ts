import amqp from 'amqplib';
import { BrokerProbeError, probeBroker, probeCuringBroker, startRabbitCluster, waitFor, type RabbitCluster } from '../src';

// A RabbitMQ node of this file's own (servers.sh rabbit-start in a private state): the tests kill its dead-letter
// workers and its dead-letter supervisor, which on the shared broker would fail every other test file.
let cluster: RabbitCluster;
let url: string;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;

const SINK = 'dead-lettered';
/** Queues like the status service's timers: quorum, at-least-once dead-lettering, a TTL. */
const TIMER_QUEUES = ['timer-a', 'timer-b', 'timer-c'];

beforeAll(async () => {
  cluster = await startRabbitCluster(1);
  url = cluster.nodes[0].amqpUrl;
  conn = await amqp.connect(url);
  conn.on('error', () => undefined);
  ch = await conn.createChannel();
  await ch.assertQueue(SINK, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(SINK, 'amq.fanout', '');
  for (const q of TIMER_QUEUES) {
    await ch.assertQueue(q, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': 100,
        'x-dead-letter-exchange': 'amq.fanout',
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
  }
}, 180_000);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await cluster?.destroy();
}, 60_000);

const evalOnNode = async (expression: string): Promise<string> => (await cluster.ctl(1, 'eval', expression)).trim();

/** Kills every dead-letter worker `rounds` times, 200 ms apart (while their supervisor lives), and answers whether it lives. */
const killWorkers = (rounds: number): Promise<string> =>
  evalOnNode(
    `Kill = fun (undefined) -> gone; (Sup) -> [exit(P, kill) || {_, P, _, _} <- supervisor:which_children(Sup)] end,
     lists:foreach(fun (_) -> Kill(whereis(rabbit_fifo_dlx_sup)), timer:sleep(200) end, lists:seq(1, ${rounds})),
     is_pid(whereis(rabbit_fifo_dlx_sup)).`,
  );

/** Publishes to a timer queue and waits for the message to be dead-lettered into the sink by the queue's worker. */
async function deadLetters(queue: string): Promise<void> {
  const body = `${queue}-${Date.now()}`;
  ch.sendToQueue(queue, Buffer.from(body), { persistent: true });
  await waitFor(`${queue}'s message dead-lettered`, async () => {
    const msg = await ch.get(SINK, { noAck: true });
    return msg !== false && msg.content.toString() === body;
  }, { timeoutMs: 20_000, intervalMs: 100 });
}

test('a started node allows its dead-letter workers 1,000 restarts per 5 s (RabbitMQ 3.10.8 ships 1)', async () => {
  await expect(evalOnNode('S = sys:get_state(rabbit_fifo_dlx_sup), {element(6, S), element(7, S)}.')).resolves.toBe('{1000,5}');
});

test('dead-letter workers killed 5 times in a row: declarations and dead-lettering still work', async () => {
  await expect(killWorkers(5)).resolves.toBe('true');
  await probeBroker(url);
  for (const q of TIMER_QUEUES) await deadLetters(q);
}, 120_000);

test("a supervisor dead as 3.10.8's intensity leaves it: the probe fails with 541, the guard cures it, the queues dead-letter again", async () => {
  await evalOnNode('sys:replace_state(rabbit_fifo_dlx_sup, fun (S) -> setelement(6, S, 1) end), ok.');
  await expect(killWorkers(2)).resolves.toBe('false');
  const broken = await probeBroker(url).then(() => undefined, (err: unknown) => err);
  expect(broken).toBeInstanceOf(BrokerProbeError);
  expect((broken as BrokerProbeError).fault).toBe('internal-error');

  const report = await probeCuringBroker(url, cluster.env);
  expect(report).toMatch(/rabbit_fifo_dlx_sup had died .*\{supervisor,restarted\},\{restart_intensity,1000,5\}/);
  await probeBroker(url);
  // The queues declared before lost their workers with the supervisor; the guard started them again.
  for (const q of TIMER_QUEUES) await deadLetters(q);
}, 240_000);
