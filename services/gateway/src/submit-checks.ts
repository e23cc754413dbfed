import { outboundUrlProblem, type OutboundRules } from '@taskyard/address-guard';
import { apiHarvest } from '@taskyard/contracts';
import { DatabaseDown, HostNotAllowed, InvalidParams, type ApiFailure } from './errors';

/** A job type's own check of params its JSON Schema cannot judge (e.g. against the admin's settings); `field` names them in the answer. */
export type SubmitCheck = (params: Record<string, unknown>, field: string) => ApiFailure | undefined;

/**
 * api-harvest fetches what a user names: its `url` must be on the admin's allow-list, refused here with a
 * 400 naming the host and the setting rather than left to fail once a worker takes it. The worker checks
 * again (before connecting and at connect: the name may resolve elsewhere by then).
 */
export function harvestHostCheck(current: () => OutboundRules | undefined): SubmitCheck {
  return (params, field) => {
    if (typeof params.url !== 'string') return undefined;
    // The admin may change the list at any time (LiveOutboundRules): the one in force now, or none if unread for too long.
    const rules = current();
    if (!rules) return new DatabaseDown('the hosts an administrator allows could not be read; try again shortly');
    const problem = outboundUrlProblem(params.url, rules);
    if (!problem) return undefined;
    if (problem.code === 'bad-url') return new InvalidParams(`${field}/url ${problem.message}`, [{ instancePath: '/url', keyword: 'format', params: {}, message: problem.message }]);
    return new HostNotAllowed(`${field}/url`, problem);
  };
}

/** The checks of the job types that have one. */
export function submitChecks(harvestHosts: () => OutboundRules | undefined): Map<string, SubmitCheck> {
  return new Map([[apiHarvest.type, harvestHostCheck(harvestHosts)]]);
}
