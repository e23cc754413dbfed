import type { Row } from '../lib/report';
import type { Rate } from '../lib/rate';
import type { Ceilings } from './measure';

const row = (measure: string, clients: number | string, r: Rate, unit: string): Row => ({
  measure,
  clients,
  count: r.count,
  seconds: r.seconds,
  rate: Math.round(r.perSecond),
  unit,
});

/** One table row per measured figure. Broker "clients" 1+1 = one publisher and one consumer connection. */
export function ceilingRows(c: Ceilings): Row[] {
  const { database: db, broker, objectStore: s3 } = c;
  return [
    row('db insertOne', 1, db.insertsPerSec.c1, 'docs/s'),
    row('db insertOne', 16, db.insertsPerSec.c16, 'docs/s'),
    row('db conditional updateOne', 1, db.conditionalUpdatesPerSec.c1, 'updates/s'),
    row('db conditional updateOne', 16, db.conditionalUpdatesPerSec.c16, 'updates/s'),
    row('db cursor read (4 flat fields)', 1, db.cursorReadDocsPerSec.c1, 'docs/s'),
    row('db cursor read (4 flat fields)', 16, db.cursorReadDocsPerSec.c16, 'docs/s'),
    row('mq quorum publish confirmed', '1+1', broker.quorum.publishConfirmed, 'msgs/s'),
    row('mq quorum publish -> ack', '1+1', broker.quorum.endToEnd, 'msgs/s'),
    row('mq classic publish confirmed', '1+1', broker.classic.publishConfirmed, 'msgs/s'),
    row('mq classic publish -> ack', '1+1', broker.classic.endToEnd, 'msgs/s'),
    row('s3 put 1 KB', s3.small.concurrency, s3.small.put, 'objects/s'),
    row('s3 get 1 KB', s3.small.concurrency, s3.small.get, 'objects/s'),
    { ...row('s3 put 10 MB', s3.large.concurrency, s3.large.put, 'MB/s'), rate: Math.round(s3.large.putMBps) },
    { ...row('s3 get 10 MB', s3.large.concurrency, s3.large.get, 'MB/s'), rate: Math.round(s3.large.getMBps) },
  ];
}
