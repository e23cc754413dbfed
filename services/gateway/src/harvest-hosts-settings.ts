import { BadAllowListEntry, HostAllowList, type LiveOutboundRules } from '@taskyard/address-guard';
import { API_HARVEST_HOST_SETTINGS, HARVEST_HOSTS_SETTING_ID, type HarvestHostLists, type HarvestHostsView } from '@taskyard/contracts';
import { readAdminSetting, writeAdminSetting, type AdminSettingRecord } from '@taskyard/tasks';
import type { Model } from 'mongoose';
import { InvalidParams } from './errors';

/** Each entry on its own, as the services will read it: a bad one is a 400 naming where it is. */
function checkEntries(lists: HarvestHostLists): void {
  for (const [field, variable] of [['allowed', API_HARVEST_HOST_SETTINGS.allowed], ['privateHosts', API_HARVEST_HOST_SETTINGS.private]] as const) {
    lists[field].forEach((entry, i) => {
      try {
        new HostAllowList(variable, entry);
      } catch (err) {
        if (!(err instanceof BadAllowListEntry)) throw err;
        const message = `"${entry.slice(0, 100)}" is not a host name, an IP address or host:port`;
        throw new InvalidParams(`${field}/${i}: ${message}`, [{ instancePath: `/${field}/${i}`, keyword: 'format', params: {}, message }]);
      }
    });
  }
}

/**
 * The hosts api-harvest may request, as an admin sets them while everything runs: stored as one settings
 * document, applied by this gateway at once and by every other gateway and worker within their refresh
 * (LiveOutboundRules). Until an admin sets them, the environment's lists apply.
 */
export class HarvestHostsSettings {
  constructor(
    private readonly Setting: Model<AdminSettingRecord>,
    private readonly live: LiveOutboundRules,
    private readonly environment: HarvestHostLists,
    private readonly refreshMs: number,
    private readonly timeoutMs: number,
  ) {}

  async get(): Promise<HarvestHostsView> {
    return this.view(await readAdminSetting<HarvestHostLists>(this.Setting, HARVEST_HOSTS_SETTING_ID, this.timeoutMs));
  }

  async set(lists: HarvestHostLists, by: string): Promise<HarvestHostsView> {
    checkEntries(lists);
    const record: AdminSettingRecord<HarvestHostLists> = { _id: HARVEST_HOSTS_SETTING_ID, value: { allowed: lists.allowed, privateHosts: lists.privateHosts }, by, at: new Date() };
    await writeAdminSetting(this.Setting, record, this.timeoutMs);
    await this.live.refresh();
    return this.view(record);
  }

  private view(record: AdminSettingRecord<HarvestHostLists> | null): HarvestHostsView {
    const appliedWithinSeconds = Math.ceil(this.refreshMs / 1000);
    if (!record) return { ...this.environment, source: 'environment', appliedWithinSeconds };
    return { allowed: record.value.allowed, privateHosts: record.value.privateHosts, source: 'admin', updatedAt: new Date(record.at).toISOString(), updatedBy: record.by, appliedWithinSeconds };
  }
}
