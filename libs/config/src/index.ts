export { loadServerUrls, hasExplicitServers, brokerUrls, managementUrls, parseBrokerUrls, parseManagementUrls, LOCAL_DEFAULTS } from './server-urls';
export type { ServerUrls, S3Settings, Env } from './server-urls';
export { intFromEnv, boolFromEnv, ConfigError } from './env-value';
