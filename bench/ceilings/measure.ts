import { cpus } from 'node:os';
import { loadServerUrls, type ServerUrls } from '@taskyard/config';
import { measureBroker, type BrokerCeilings } from './broker';
import { measureDatabase, type DatabaseCeilings } from './database';
import { measureObjectStore, type ObjectStoreCeilings, type ObjectStoreOptions } from './object-store';

/** The bare limits of this machine's servers, for other benchmarks to report their results against. */
export interface Ceilings {
  measuredAt: string;
  host: { cpus: number; node: string };
  database: DatabaseCeilings;
  broker: BrokerCeilings;
  objectStore: ObjectStoreCeilings;
}

export interface CeilingsOptions {
  servers?: ServerUrls;
  /** Time per database measurement (6 of them). */
  dbMs?: number;
  /** Time spent publishing per queue (2 of them); draining the backlog comes on top. */
  brokerMs?: number;
  objects?: ObjectStoreOptions;
  /** Progress lines; nothing by default, so a caller's own output stays clean. */
  log?: (line: string) => void;
}

/** Measures database, broker and object store one after the other, so they do not share the CPUs. */
export async function measureCeilings(opts: CeilingsOptions = {}): Promise<Ceilings> {
  const servers = opts.servers ?? loadServerUrls();
  const log = opts.log ?? ((): void => undefined);
  const measuredAt = new Date().toISOString();
  log('database: inserts, conditional updates, cursor reads at 1 and 16 clients');
  const database = await measureDatabase(servers.mongoUrl, opts.dbMs ?? 3000);
  log('broker: quorum and classic queues, confirmed publish + acked consume');
  const broker = await measureBroker(servers.rabbitmqUrl, opts.brokerMs ?? 3000);
  log('object store: 1 KB and 10 MB put and get');
  const objectStore = await measureObjectStore(servers.s3, opts.objects);
  return { measuredAt, host: { cpus: cpus().length, node: process.version }, database, broker, objectStore };
}
