export { testServers, serverEnv } from './test-servers';
export type { TestServers } from './test-servers';
export { waitFor } from './wait-for';
export { startProcessStack, freePort, DEFAULT_KEYS } from './process-stack';
export type { ProcessStack, StackOptions, ServiceProcess, ApiKey } from './process-stack';
export { explainFind } from './explain-plan';
export type { PlanSummary } from './explain-plan';
export { startRabbitCluster } from './rabbit-cluster';
export type { RabbitCluster, RabbitNode } from './rabbit-cluster';
