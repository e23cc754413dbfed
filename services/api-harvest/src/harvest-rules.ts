import type { Connection } from 'mongoose';
import { LiveOutboundRules } from '@taskyard/address-guard';
import { HARVEST_HOSTS_MAX_STALE_MS, HARVEST_HOSTS_REFRESH_MS, HARVEST_HOSTS_SETTING_ID, type HarvestHostLists } from '@taskyard/contracts';
import { adminSettingReader } from '@taskyard/tasks';
import { RetriableJobError, type JobContext } from '@taskyard/worker';
import type { HarvestConfig } from './harvest-config';

const READ_TIMEOUT_MS = 10_000;

/**
 * The hosts a run may request, as they are NOW: the admin's lists (PUT /v1/admin/settings/harvest-hosts), else
 * the environment's, read again at the start of every run that requests a host (one read by `_id`; runs
 * starting together share it). So a task queued or scheduled before a host was removed fails when it runs
 * (host-not-allowed) instead of requesting it. A failed read falls back on the last one for at most
 * HARVEST_HOSTS_MAX_STALE_MS; after that the run is retried rather than made with a list that may be old.
 */
export class HarvestRules {
  private live?: LiveOutboundRules;

  constructor(private readonly config: HarvestConfig) {}

  async inForce(db: Connection, logger: JobContext<unknown>['logger']): Promise<HarvestConfig> {
    this.live ??= new LiveOutboundRules({
      defaults: this.config,
      read: adminSettingReader<HarvestHostLists>(db, HARVEST_HOSTS_SETTING_ID, READ_TIMEOUT_MS),
      refreshMs: HARVEST_HOSTS_REFRESH_MS,
      maxStaleMs: HARVEST_HOSTS_MAX_STALE_MS,
      onProblem: (message) => logger.warn(message),
    });
    await this.live.refresh();
    const rules = this.live.current();
    if (!rules) throw new RetriableJobError('settings-unavailable', 'the hosts an administrator allows could not be read; the request was not made');
    return { ...this.config, ...rules };
  }
}
