/** What an admin configures for API requests. */
export interface HarvestConfig {
  /** Hosts a job may request (lower case). Any other host is refused before a connection is made. */
  allowedHosts: ReadonlySet<string>;
  /**
   * Allowed hosts that may also resolve to loopback, private or link-local addresses (an API inside the
   * deployment). Every other allowed host is checked after resolving, at connect, as callbacks are.
   */
  privateHosts: ReadonlySet<string>;
  /** One request's deadline without an answer (the job's own 15-minute timeout bounds the whole). */
  requestTimeoutMs: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const hosts = (text: string | undefined): Set<string> =>
  new Set((text ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));

/** `API_HARVEST_ALLOWED_HOSTS` and `API_HARVEST_PRIVATE_HOSTS`: comma-separated host names (a private host is allowed too). */
export function harvestConfigFromEnv(env: Record<string, string | undefined>): HarvestConfig {
  const privateHosts = hosts(env.API_HARVEST_PRIVATE_HOSTS);
  return {
    allowedHosts: new Set([...hosts(env.API_HARVEST_ALLOWED_HOSTS), ...privateHosts]),
    privateHosts,
    requestTimeoutMs: Number(env.API_HARVEST_REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS),
  };
}
