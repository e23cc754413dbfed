import { outboundRulesFromEnv, type OutboundRules } from '@taskyard/address-guard';
import { API_HARVEST_HOST_SETTINGS } from '@taskyard/contracts';

/** What an admin configures for API requests: the hosts they may reach (see API_HARVEST_HOST_SETTINGS). */
export interface HarvestConfig extends OutboundRules {
  /** One request's deadline without an answer (the job's own 15-minute timeout bounds the whole). */
  requestTimeoutMs: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** `API_HARVEST_ALLOWED_HOSTS` and `API_HARVEST_PRIVATE_HOSTS` (a private host is allowed too), the request timeout. */
export function harvestConfigFromEnv(env: Record<string, string | undefined>): HarvestConfig {
  return {
    ...outboundRulesFromEnv(env, API_HARVEST_HOST_SETTINGS),
    requestTimeoutMs: Number(env.API_HARVEST_REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS),
  };
}
