import mongoose, { type Connection } from 'mongoose';
import { ObjectStore } from '@taskyard/storage';
import { testServers, type TestServers } from '@taskyard/testing';

/** A job service test file's real servers, with a database connection and an object store on them. */
export interface JobTestEnv {
  servers: TestServers;
  conn: Connection;
  store: ObjectStore;
  /** Closes the connection and the store, then drops the file's database, vhost and bucket. */
  close(): Promise<void>;
}

export async function startJobTestEnv(label: string): Promise<JobTestEnv> {
  const servers = await testServers(label);
  const conn = await mongoose.createConnection(servers.mongoUrl).asPromise();
  const store = new ObjectStore(servers.s3);
  return {
    servers,
    conn,
    store,
    async close() {
      store.close();
      await conn.close();
      await servers.cleanup();
    },
  };
}
