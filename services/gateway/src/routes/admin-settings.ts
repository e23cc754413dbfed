import type { FastifyPluginAsync } from 'fastify';
import { MAX_HARVEST_HOST_ENTRIES, type HarvestHostLists } from '@taskyard/contracts';
import { apiErrors } from '../api-errors';
import type { GatewayDeps } from '../deps';
import { adminOnly } from '../plugins/auth';

// An entry is one `host` or `host:port` (a comma would make two when the services read the list).
const hostList = {
  type: 'array',
  maxItems: MAX_HARVEST_HOST_ENTRIES,
  items: { type: 'string', minLength: 1, maxLength: 261, pattern: '^[^,\\s]+$' },
} as const;

const listsBody = {
  type: 'object',
  required: ['allowed', 'privateHosts'],
  additionalProperties: false,
  properties: {
    allowed: { ...hostList, description: '`host` (any port) or `host:port` entries api-harvest tasks may request' },
    privateHosts: { ...hostList, description: 'Allowed hosts that may also be, or resolve to, a loopback, private or link-local address' },
  },
} as const;

const hostsView = {
  type: 'object',
  required: ['allowed', 'privateHosts', 'source', 'appliedWithinSeconds'],
  properties: {
    allowed: { type: 'array', items: { type: 'string' } },
    privateHosts: { type: 'array', items: { type: 'string' } },
    source: { type: 'string', enum: ['admin', 'environment'], description: '`environment`: never set through this API (API_HARVEST_ALLOWED_HOSTS, API_HARVEST_PRIVATE_HOSTS apply)' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
    appliedWithinSeconds: { type: 'integer', description: 'Every gateway and api-harvest worker applies a change within this many seconds' },
  },
} as const;

/** Admin only: settings that take effect while everything runs (no restart). */
export const adminSettingsRoutes: FastifyPluginAsync<GatewayDeps> = async (app, { harvestHosts }) => {
  adminOnly(app);

  app.get(
    '/admin/settings/harvest-hosts',
    {
      schema: {
        operationId: 'getHarvestHosts',
        summary: 'The hosts api-harvest tasks may request',
        description: 'The allow-lists in force: set through PUT, or the environment\'s until an admin sets them.',
        tags: ['admin'],
        response: { 200: hostsView, ...apiErrors(503) },
      },
    },
    async () => harvestHosts.get(),
  );

  app.put<{ Body: HarvestHostLists }>(
    '/admin/settings/harvest-hosts',
    {
      schema: {
        operationId: 'setHarvestHosts',
        summary: 'Set the hosts api-harvest tasks may request',
        description:
          'Replaces both lists (they replace the environment\'s from then on). This gateway applies them at once, every other gateway and api-harvest worker within `appliedWithinSeconds`: a submit naming a removed host is then a 400 `host-not-allowed`, and a queued or scheduled run fails with that code instead of requesting it.',
        tags: ['admin'],
        body: listsBody,
        response: { 200: hostsView, ...apiErrors(503) },
      },
    },
    async (request) => harvestHosts.set(request.body, request.principal.principal),
  );
};
