import { Worker } from 'bullmq';

/** The BullMQ side of bench/peers: a worker process that completes no-op jobs, 16 at a time. */
const port = Number(process.env.PEERS_REDIS_PORT);
const worker = new Worker(process.env.PEERS_QUEUE ?? 'peers-bullmq', async () => null, {
  connection: { host: '127.0.0.1', port },
  concurrency: 16,
});
worker.on('ready', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
