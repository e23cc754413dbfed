import { defineJobType, ENUM_NAMES } from './job-type';
import type { WorkflowDefinition } from './workflow';

/**
 * Seed 002's API requests: a job that requests an HTTP API (hosts an admin allows only) and keeps what it
 * answers in S3. Once, or on a cron schedule; paginated as the workflow `api-harvest-paged` (the first call
 * lists up to 1,000 page links, one task per page, the pages combined into one file). The seed's rule: a
 * 15-minute timeout, then exactly one retry, then failed.
 */

export const API_HARVEST_MODES = ['single', 'list', 'page', 'combine', 'collect'] as const;
export type ApiHarvestMode = (typeof API_HARVEST_MODES)[number];
export const API_HARVEST_FORMATS = ['jsonl', 'csv'] as const;
export type ApiHarvestFormat = (typeof API_HARVEST_FORMATS)[number];

/**
 * The admin's settings for the hosts api-harvest may request (comma-separated `host` or `host:port`), read by
 * the gateway (a task naming another host is refused at submit) and by the service (checked again before and
 * at connect). A private host may also be, or resolve to, a loopback, private or link-local address.
 */
export const API_HARVEST_HOST_SETTINGS = { allowed: 'API_HARVEST_ALLOWED_HOSTS', private: 'API_HARVEST_PRIVATE_HOSTS' } as const;

/**
 * The same two lists set by an admin at run time (`PUT /v1/admin/settings/harvest-hosts`), stored as one
 * settings document under this `_id`; once set they replace the environment's. Every gateway and api-harvest
 * worker re-reads it (one read by `_id`) every HARVEST_HOSTS_REFRESH_MS, so a change reaches them all within
 * that time without a restart; a process that could not read it for HARVEST_HOSTS_MAX_STALE_MS refuses
 * harvests rather than go on with a list an admin may have shortened.
 */
export const HARVEST_HOSTS_SETTING_ID = 'api-harvest-hosts';
export const HARVEST_HOSTS_REFRESH_MS = 5_000;
export const HARVEST_HOSTS_MAX_STALE_MS = 30_000;
/** Most entries in either list. */
export const MAX_HARVEST_HOST_ENTRIES = 500;

/** The allow-lists as an admin sets them: `host` or `host:port` entries. */
export interface HarvestHostLists {
  allowed: string[];
  privateHosts: string[];
}

/** `GET`/`PUT /v1/admin/settings/harvest-hosts`: the lists in force and where they come from. */
export interface HarvestHostsView extends HarvestHostLists {
  /** `admin`: set through the API; `environment`: API_HARVEST_ALLOWED_HOSTS / API_HARVEST_PRIVATE_HOSTS (never set by an admin). */
  source: 'admin' | 'environment';
  updatedAt?: string;
  updatedBy?: string;
  /** Every gateway and worker applies a change within this many seconds. */
  appliedWithinSeconds: number;
}

/** Most page links a listing may give (the seed's "up to 1000"). */
export const MAX_HARVEST_PAGES = 1000;
/** Largest answer kept from one request. */
export const MAX_HARVEST_RESPONSE_BYTES = 100 * 1024 * 1024;
/** Results one collect run takes (the rest wait for the next). */
export const MAX_COLLECTED_RESULTS = 100;

export interface ApiHarvestParams {
  mode?: ApiHarvestMode;
  /** single: the API to request; list: the listing of page links; page: one page. */
  url?: string;
  /** combine: the combined file's format (JSON Lines or CSV). */
  format?: ApiHarvestFormat;
}

/** What a `list` request answered: the page links, resolved against the listing's URL. */
export interface HarvestListing {
  pages: string[];
  listUrl: string;
  /** Passed on to the combine stage. */
  format?: ApiHarvestFormat;
}

export const apiHarvest = defineJobType<ApiHarvestParams>({
  type: 'api-harvest',
  title: 'API download',
  description: 'Requests a web API an administrator has allowed and keeps what it answers as a file. Collect gathers the files not yet collected.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: {
        type: 'string',
        title: 'What to do',
        enum: [...API_HARVEST_MODES],
        [ENUM_NAMES]: ['Request the address once', 'Read a list of page addresses', 'Request one page', 'Combine pages into one file', 'Collect the files not yet collected'],
        description: 'Request the address once unless another choice is made.',
      },
      url: { type: 'string', title: 'Address', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'The web address to request (http or https), on a host an administrator allows.' },
      format: { type: 'string', title: 'Combined file format', enum: [...API_HARVEST_FORMATS], [ENUM_NAMES]: ['JSON Lines (one record a line)', 'CSV (opens in a spreadsheet)'] },
    },
    if: { properties: { mode: { enum: ['single', 'list', 'page'] } } },
    then: { required: ['url'], properties: { url: { description: 'Required to request an address' } } },
  },
  limits: { timeoutMs: 15 * 60_000, maxAttempts: 2, backoffMs: [30_000], prefetch: 16 },
});

/** The seed's paginated requests: list the pages, one task per page, combine them into one file. */
export const apiHarvestPaged: WorkflowDefinition = {
  name: 'api-harvest-paged',
  title: 'Paginated API download',
  description: 'Reads the list of pages an API gives, requests every page, and combines them into one file.',
  stages: [
    { name: 'list', type: 'api-harvest', params: { mode: 'list' }, pass: ['url', 'format'] },
    { name: 'pages', type: 'api-harvest', kind: 'fan-out', items: 'pages', itemParam: 'url', params: { mode: 'page' }, pass: [] },
    { name: 'combine', type: 'api-harvest', kind: 'fan-in', params: { mode: 'combine' }, pass: ['format'] },
  ],
};
