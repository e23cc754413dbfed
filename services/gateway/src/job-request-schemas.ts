import { JOB_REQUEST_STATUSES } from '@taskyard/contracts';

/** Seed 001's shapes in the OpenAPI document (shared components: JobStatusResponse, JobRequestError). */

export const JobStatusResponseSchema = {
  $id: 'JobStatusResponse',
  type: 'object',
  required: ['request_id', 'tag', 'job_id', 'requested_by', 'status', 'last_updated', 'request', 'job_stats', 'downloadURLs', 'attempts'],
  properties: {
    request_id: { type: 'string' },
    tag: { type: 'string' },
    job_id: { type: 'string' },
    requested_by: { type: 'string' },
    requested_channel: { type: 'string' },
    status: { type: 'string', enum: [...JOB_REQUEST_STATUSES] },
    last_updated: { type: 'integer', description: 'Epoch seconds' },
    request: { type: 'object', additionalProperties: true },
    job_stats: {
      type: 'object',
      required: ['dt_job_submitted'],
      properties: {
        dt_job_submitted: { type: 'integer', description: 'Epoch seconds' },
        dt_job_completed: { type: 'integer', description: 'Epoch seconds' },
        execution_time: { type: 'integer', description: 'Milliseconds' },
      },
    },
    downloadURLs: { type: 'array', items: { type: 'string' }, description: 'Presigned afresh on each read' },
    expiresAt: { type: 'integer', description: 'When the download URLs stop working, epoch milliseconds' },
    attempts: { type: 'integer', description: 'Re-runs of this request after a FAILED one (0 for the first run)' },
    err_message: { type: 'string' },
  },
} as const;

/** Seed 001's envelope around a result. */
export function envelopeSchema(result: object, description: string): Record<string, unknown> {
  return {
    description,
    type: 'object',
    required: ['id', 'ver', 'ts', 'params', 'responseCode', 'result'],
    properties: {
      id: { type: 'string' },
      ver: { type: 'string' },
      ts: { type: 'string', format: 'date-time' },
      params: {
        type: 'object',
        required: ['resmsgid', 'status'],
        properties: {
          resmsgid: { type: 'string' },
          msgid: { type: 'string' },
          status: { type: 'string', enum: ['successful', 'failed'] },
          err: { type: 'string', description: "The platform's error code" },
          errmsg: { type: 'string' },
        },
      },
      responseCode: { type: 'string', enum: ['OK', 'CLIENT_ERROR', 'UNAUTHORIZED', 'RESOURCE_NOT_FOUND', 'TOO_MANY_REQUESTS', 'SERVER_ERROR'] },
      result: result,
    },
  };
}

/** Seed 001's error answer: its envelope with `params.status` "failed", our code in `params.err`. */
export const JobRequestErrorSchema = {
  $id: 'JobRequestError',
  ...envelopeSchema(
    { type: 'object', additionalProperties: false, maxProperties: 0 },
    'The envelope with `params.status` "failed", `params.err` the platform\'s error code, `params.errmsg` what was wrong, and `responseCode` CLIENT_ERROR, UNAUTHORIZED, RESOURCE_NOT_FOUND, TOO_MANY_REQUESTS or SERVER_ERROR',
  ),
};

/**
 * Every status these routes answer an error with, each in the envelope: listed in full, so the platform's
 * hooks (which document `{error}` bodies) add none of theirs.
 */
export const JOB_REQUEST_ERRORS = (...statuses: number[]): Record<string, { $ref: string }> =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: 'JobRequestError#' }]));


export const JOB_REQUEST_SCHEMAS = [JobStatusResponseSchema, JobRequestErrorSchema];
