export { testServers, serverEnv } from './test-servers';
export type { TestServers } from './test-servers';
export { waitFor } from './wait-for';
