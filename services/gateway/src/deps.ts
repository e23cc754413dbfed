import type { Logger } from '@taskyard/logging';
import type { KeyLookup } from './api-keys';
import type { DeadLetters } from './dead-letters';
import type { JobCatalog } from './job-catalog';
import type { ManagedKeys } from './managed-keys';
import type { JobRequests } from './job-requests';
import type { GatewayMetrics } from './metrics';
import type { RabbitManagement } from './rabbit-management';
import type { ProcessorLeases } from './processor-leases';
import type { Readiness } from './readiness';
import type { ScheduleService } from './schedule-service';
import type { TaskControl } from './task-control';
import type { BatchSubmission } from './batch-submission';
import type { JobTypeControl } from './job-type-control';
import type { RequestManager } from './request-manager';
import type { SseHub } from './sse-hub';
import type { TaskCancellation } from './task-cancellation';
import type { TaskOverview } from './task-overview';
import type { TaskQueries } from './task-queries';
import type { TaskSubmission } from './task-submission';
import type { Presign } from './task-view';
import type { UploadIntake } from './upload-intake';
import type { WorkflowService } from './workflow-service';
import type { HarvestHostsSettings } from './harvest-hosts-settings';
import type { ObjectStore } from '@taskyard/storage';

/** Everything the HTTP app needs, built by startGateway (or a test) and passed in: no module globals. */
export interface GatewayDeps {
  logger: Logger;
  /** Every key a request may come with: the configured ones and the managed ones. */
  keys: KeyLookup;
  managedKeys: ManagedKeys;
  catalog: JobCatalog;
  submission: TaskSubmission;
  queries: TaskQueries;
  cancellation: TaskCancellation;
  schedules: ScheduleService;
  workflows: WorkflowService;
  taskControl: TaskControl;
  batchSubmission: BatchSubmission;
  jobTypeControl: JobTypeControl;
  intake: UploadIntake;
  hub: SseHub;
  deadLetters: DeadLetters;
  /** Absent when no RabbitMQ management URL is configured. */
  management?: RabbitManagement;
  readiness: Readiness;
  metrics: GatewayMetrics;
  presign: Presign;
  presignSeconds: number;
  consoleDir?: string;
  /** Where presigned artifact URLs point (the console fetches previews from there). */
  objectStoreOrigin?: string;
  /** The HTTP server's deadlines (defaults: HTTP_TIMEOUTS). */
  timeouts?: HttpTimeouts;
  store: ObjectStore;
  /** External job types: HTTP processors' claims and reports. */
  leases: ProcessorLeases;
  /** Seed 000's Request Manager API. */
  requestManager: RequestManager;
  /** Seed 001's job request API. */
  jobRequests: JobRequests;
  /** GET /v1/overview, from the status service's counters. */
  overview: TaskOverview;
  /** The hosts api-harvest may request, as an admin sets them at run time. */
  harvestHosts: HarvestHostsSettings;
}

export interface HttpTimeouts {
  /** Longest a request may take to arrive whole, headers and body (a 200 MB upload included). */
  requestMs: number;
  /**
   * Longest a connection may stay silent (no byte either way). Longer than `requestMs`: a client waits in
   * silence while its upload is put to S3, and a stalled body is the request deadline's to end.
   */
  connectionMs: number;
  /**
   * Longest an idle keep-alive connection is kept, announced to clients; well under `connectionMs`, so a
   * client never reuses a connection the idle deadline is about to drop.
   */
  keepAliveMs: number;
}

/** No request or connection is held for ever: a stalled upload body is dropped, with its temp file. */
export const HTTP_TIMEOUTS: HttpTimeouts = { requestMs: 300_000, connectionMs: 600_000, keepAliveMs: 5_000 };
