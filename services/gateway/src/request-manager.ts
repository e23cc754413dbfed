import {
  REQUEST_STATUS,
  REQUEST_STATUS_OF,
  REQUEST_TYPE_NAMES,
  jobTypeOfRequestType,
  type RequestReport,
  type RequestSubmission,
  type RequestView,
} from '@taskyard/contracts';
import type { Principal } from './api-keys';
import { InvalidParams, MalformedJson, UnknownRequestType } from './errors';
import type { ProcessorLeases } from './processor-leases';
import { settlementOf } from './processor-reports';
import type { ObjectStore } from '@taskyard/storage';
import type { TaskQueries } from './task-queries';
import type { TaskSubmission } from './task-submission';
import type { Presign } from './task-view';
import type { ViewRecord } from './task-view';

/** The most requests `GET /requests/:requestType/:userProfileId` answers with (the newest). */
export const REQUEST_LIST_LIMIT = 100;

/**
 * A seed 000 user's requests are owned by `<key principal>/<profileId>`: the application gateway's key
 * submits for many users, and the platform's per-owner, per-type limit of unfinished tasks is then the
 * seed's per-user, per-type queue ("Important note").
 */
export const requestOwner = (who: Principal, profileId: string): string => `${who.principal}/${profileId}`;

export interface RequestManagerDeps {
  store: ObjectStore;
  submission: TaskSubmission;
  queries: TaskQueries;
  leases: ProcessorLeases;
  presign: Presign;
}

function requestDetailOf(detail: RequestSubmission['requestDetail']): Record<string, unknown> {
  if (detail === undefined) return {};
  if (typeof detail !== 'string') return detail;
  let parsed: unknown;
  try {
    parsed = detail.trim() === '' ? {} : JSON.parse(detail);
  } catch {
    throw new MalformedJson('requestDetail is not valid JSON text (send a JSON object, or its text)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidParams('requestDetail must be a JSON object', [{ instancePath: '/requestDetail', keyword: 'type', params: { type: 'object' }, message: 'must be object' }]);
  }
  return parsed as Record<string, unknown>;
}

function jobType(name: string): string {
  const type = jobTypeOfRequestType(name);
  if (!type) throw new UnknownRequestType(name, Object.keys(REQUEST_TYPE_NAMES));
  return type;
}

/** Seed 000's Request Manager API onto the same tasks, quota and status service. */
export class RequestManager {
  constructor(private readonly deps: RequestManagerDeps) {}

  async submit(who: Principal, body: RequestSubmission): Promise<{ requestId: string }> {
    const type = jobType(body.type);
    const params = requestDetailOf(body.requestDetail);
    const outcome = await this.deps.submission.submit({ owner: requestOwner(who, String(body.profileId)), type, title: body.title, params });
    return { requestId: outcome.id };
  }

  async list(who: Principal, requestType: string, profileId: string): Promise<RequestView[]> {
    const type = jobType(requestType);
    // The user's own view: the owner is the profile's, whatever the key's role.
    const page = await this.deps.queries.list({ principal: requestOwner(who, profileId), role: 'user' }, { type, limit: REQUEST_LIST_LIMIT });
    return Promise.all(page.items.map((t) => this.view(t)));
  }

  private async view(t: ViewRecord): Promise<RequestView> {
    const files = t.status === 'expired' ? [] : t.artifacts ?? [];
    return {
      requestId: t._id,
      title: t.title,
      artifacts: await Promise.all(files.map((a) => (a.url ? a.url : this.deps.presign(a.key, a.name)))),
      status: REQUEST_STATUS_OF[t.status],
      errorMessage: t.error?.message ?? '',
    };
  }

  /** `PUT /requests/:requestId` from the processor holding the request: 1 keeps its lease, 2 and 3 settle it. */
  async report(who: Principal, requestId: string, body: RequestReport): Promise<{ requestId: string; status: number }> {
    if (body.status === REQUEST_STATUS.notStarted) {
      throw new InvalidParams('status 0 (Not started) cannot be reported: send 1 (In-Process), 2 (Finished) or 3 (Failed)', [
        { instancePath: '/status', keyword: 'enum', params: {}, message: 'must be 1, 2 or 3' },
      ]);
    }
    if (body.status === REQUEST_STATUS.inProcess) {
      await this.deps.leases.heartbeat(who, requestId);
      return { requestId, status: body.status };
    }
    const lease = await this.deps.leases.held(who, requestId);
    const report =
      body.status === REQUEST_STATUS.finished
        ? { status: 'succeeded' as const, artifacts: body.artifacts ?? [] }
        : { status: 'failed' as const, error: { message: body.errorMessage?.trim() || 'the request processor reported a failure' } };
    await this.deps.leases.settle(lease, await settlementOf(this.deps.store, lease.task.type, requestId, report));
    return { requestId, status: body.status };
  }
}
