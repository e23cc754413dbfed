import type { ConsumeMessage } from 'amqplib';
import { EventBatcher } from './event-batcher';

const message = (n: number): ConsumeMessage =>
  ({ content: Buffer.from(String(n)), fields: { deliveryTag: n, redelivered: false }, properties: {} }) as unknown as ConsumeMessage;
const contents = (msgs: ConsumeMessage[]): string => msgs.map((m) => `${m.content.toString()}${m.fields.redelivered ? 'r' : ''}`).join(',');

test('a batch that fails is folded again in place, as redelivered, before any later batch; then acked', async () => {
  const folds: string[] = [];
  const failures: boolean[] = [];
  let failOnce = true;
  const batcher = new EventBatcher(async (msgs) => {
    folds.push(contents(msgs));
    if (failOnce) {
      failOnce = false;
      throw new Error('deadline exceeded');
    }
  }, { windowMs: 1, maxBatch: 2, retryDelaysMs: [5], onFailure: (_err, _size, requeued) => failures.push(requeued) });
  const first = [batcher.add(message(1)), batcher.add(message(2))];
  const later = batcher.add(message(3));
  expect(await Promise.all([...first, later])).toEqual(['ack', 'ack', 'ack']);
  expect(folds).toEqual(['1,2', '1r,2r', '3']);
  expect(failures).toEqual([false]);
});

test('a batch that keeps failing goes back to the queue once its retries are spent', async () => {
  const folds: string[] = [];
  const failures: boolean[] = [];
  const batcher = new EventBatcher(async (msgs) => {
    folds.push(contents(msgs));
    throw new Error('down');
  }, { windowMs: 1, maxBatch: 10, retryDelaysMs: [1, 1], onFailure: (_err, _size, requeued) => failures.push(requeued) });
  expect(await batcher.add(message(7))).toBe('requeue');
  expect(folds).toEqual(['7', '7r', '7r']);
  expect(failures).toEqual([false, false, true]);
});
