export * from './topology-names';
export { DEFAULT_LIMITS, MESSAGES_AHEAD, defineJobType, backoffFor, ENUM_NAMES } from './job-type';
export type { JobLimits, UploadLimits, JobTypeDefinition } from './job-type';
export { ALL_JOB_TYPES, jobTypes, jobTypesFromEnv, spellingReport, assessmentReport, cloudImport, diagnostic } from './job-types';
export type { SpellingReportParams, AssessmentReportParams, CloudImportParams, DiagnosticParams, JobTypeOptions } from './job-types';
export type { TaskMessage, ArtifactRef, TaskError, AttemptOutcome, AttemptRecord } from './task-message';
export type { TaskEvent, TaskEventKind, TaskEventInput, EventBase, LogLine, DistributiveOmit, RunStart, InsertedTask } from './task-event';
export { TASK_STATUSES, TERMINAL_STATUSES, UNFINISHED_STATUSES, isTerminal } from './task-status';
export type { TaskStatus } from './task-status';
export type {
  ApiErrorBody,
  ApiKeyRole,
  ApiKeyView,
  ArtifactView,
  AttemptView,
  NewApiKey,
  SubmitAnswer,
  TaskListQuery,
  TaskLogs,
  TaskPage,
  TaskStreamEnd,
  TaskSubmission,
  TaskView,
  TaskUpdate,
} from './api-views';
export type { OverviewFailure, OverviewLatency, OverviewQueue, OverviewSeries, OverviewView, OverviewWindow } from './api-views';
export { TASK_PRIORITIES, DEFAULT_PRIORITY, MAX_DELAY_MS, priorityQueueName, priorityRoutingKey } from './priority';
export type { TaskPriority } from './priority';
export { CATCH_UP_RULES, OCCURRENCE_OUTCOMES, occurrenceId } from './schedule';
export type {
  CatchUpRule,
  TaskTemplate,
  WorkflowTemplate,
  ScheduleTemplate,
  OccurrenceOutcome,
  ScheduleFields,
  OccurrenceFields,
  ScheduleView,
  OccurrenceView,
  OccurrencePage,
  ScheduleInput,
  SchedulePatch,
  TaskTemplateInput,
} from './schedule';
export { partialResult } from './task-result';
export type { Shortfall, TaskResult } from './task-result';
export { CALLBACK_SIGNATURE_HEADER, callbackUrlProblem } from './callback';
export type { CallbackAttempt, CallbackBody, CallbackMessage, CallbackState, CallbackView } from './callback';
export type { UpfReportParams } from './job-types';
export { upfReport } from './job-types';
export { REQUEST_TYPE_NAMES, REQUEST_STATUS, REQUEST_STATUS_OF, jobTypeOfRequestType } from './request-manager';
export type { RequestStatus, RequestSubmission, RequestView, RequestReport } from './request-manager';
export {
  JOB_REQUEST_JOB_IDS,
  JOB_REQUEST_STATUSES,
  JOB_REQUEST_STATUS_OF,
  JOB_REQUEST_MAX_RUNS,
  JOB_REQUEST_API_IDS,
  JOB_REQUEST_API_VERSION,
  jobTypeOfJobId,
  responseCodeOf,
  assessmentParamsOfJobConfig,
} from './job-request';
export type { JobRequestStatus, JobRequestApi, JobRequestResponseCode, JobRequestEnvelope, JobRequestSubmission, JobStatusResponse } from './job-request';
export type { ClaimedTask, LeaseAnswer, ReportedArtifact, CompletionReport, UploadTicket } from './processor-api';
export {
  WORKFLOW_TYPE,
  MAX_WORKFLOW_STAGES,
  MAX_FAN_OUT,
  STAGE_NAME_PATTERN,
  WORKFLOW_NAME_PATTERN,
  STAGE_STATES,
  WORKFLOW_DEFINITION_SCHEMA,
  workflowProblems,
  stageParams,
  fanOutChildParams,
  stageTaskId,
  fanOutChildId,
} from './workflow';
export type {
  WorkflowDefinition,
  WorkflowStage,
  TaskStage,
  FanOutStage,
  FanInStage,
  StageKind,
  StageRef,
  StageOutput,
  StageState,
  StageProgress,
  WorkflowRecord,
  WorkflowSubmission,
  WorkflowView,
} from './workflow';
export { DECLARED_WORKFLOWS, declaredWorkflow, diagnosticChain, diagnosticFanOut, checkPipeline, assessmentReportBatches } from './workflows';
export {
  CHECK_DUPLICATE_WINDOW_MS,
  CHECK_ERROR,
  CHECK_PIPELINE_TYPES,
  CHECK_STATES,
  COMPLETE_CHECK_SCHEMA,
  MAX_CHECK_ARCHIVE_CHARS,
  SUBMITTED_CHECK_SCHEMA,
  checkMarker,
  checkNotifier,
  checkReceiver,
  checkValidator,
} from './check-pipeline';
export type { CheckNotice, CheckRef, CheckState, CompleteCheck, SubmittedCheck } from './check-pipeline';
export { API_HARVEST_FORMATS, API_HARVEST_HOST_SETTINGS, API_HARVEST_MODES, HARVEST_HOSTS_MAX_STALE_MS, HARVEST_HOSTS_REFRESH_MS, HARVEST_HOSTS_SETTING_ID, MAX_HARVEST_HOST_ENTRIES, MAX_COLLECTED_RESULTS, MAX_HARVEST_PAGES, MAX_HARVEST_RESPONSE_BYTES, apiHarvest, apiHarvestPaged } from './api-harvest';
export type { ApiHarvestFormat, ApiHarvestMode, ApiHarvestParams, HarvestHostLists, HarvestHostsView, HarvestListing } from './api-harvest';
