import type { JobTypeDefinition } from '@taskyard/contracts';
import type { JobCatalog } from './job-catalog';

/**
 * The job types in /docs: each type's params schema as a component (`SpellingReportParams`...), the JSON
 * submission as a union over the types (so a generated client types `params` by `type`), and the limits
 * GET /v1/job-types shows. Built from the catalog this gateway runs, so the document lists what it accepts.
 */

const pascal = (type: string): string => type.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());

/** `spelling-report` -> `SpellingReportParams`: the component of its params schema. */
export const paramsSchemaId = (type: string): string => `${pascal(type)}Params`;

const hasRequired = (def: JobTypeDefinition): boolean => {
  const required = (def.paramsSchema as { required?: unknown }).required;
  return Array.isArray(required) && required.length > 0;
};

export const JobLimitsSchema = {
  $id: 'JobLimits',
  type: 'object',
  required: ['timeoutMs', 'maxAttempts', 'backoffMs', 'unfinishedPerOwner', 'retentionMs', 'messageTtlMs', 'prefetch', 'heartbeatWindowMs', 'leaseMs'],
  properties: {
    timeoutMs: { type: 'integer', description: 'A job past this is aborted and counts as a failed attempt' },
    maxAttempts: { type: 'integer' },
    backoffMs: { type: 'array', items: { type: 'integer' }, description: 'Wait before attempt n+1 is backoffMs[n-1] (the last repeats)' },
    unfinishedPerOwner: { type: 'integer', description: 'Queued, running or retrying tasks one owner may have (429 past it); 0: no limit' },
    retentionMs: { type: 'integer', description: 'How long artifacts are kept after success' },
    messageTtlMs: { type: 'integer', description: 'A task waiting longer in its queue fails with expired-in-queue' },
    prefetch: { type: 'integer', description: 'Messages a consumer holds at once' },
    heartbeatWindowMs: { type: 'integer', description: 'A running task silent this long is recovered' },
    leaseMs: { type: 'integer', description: 'Types processed outside: how long a claim holds a task without a heartbeat' },
  },
} as const;

export const UploadLimitsSchema = {
  $id: 'UploadLimits',
  type: 'object',
  required: ['maxBytes', 'maxUncompressedBytes', 'maxEntries'],
  properties: {
    maxBytes: { type: 'integer', description: 'Largest upload (413 past it)' },
    maxUncompressedBytes: { type: 'integer', description: "Largest total of the zip's entries (422 past it)" },
    maxEntries: { type: 'integer', description: 'Most entries in the zip (422 past it)' },
  },
} as const;

/** One member of SubmitTask: a JSON submission of one type (types that take a zip are sent as multipart). */
function jsonSubmission(def: JobTypeDefinition) {
  return {
    type: 'object',
    additionalProperties: false,
    required: hasRequired(def) ? ['type', 'params'] : ['type'],
    properties: {
      type: { type: 'string', const: def.type },
      title: { type: 'string', maxLength: 200 },
      params: { $ref: `${paramsSchemaId(def.type)}#` },
      tag: { type: 'string', minLength: 1, maxLength: 128, description: 'Client or tenant key, for filtering' },
      callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'POSTed the task on a terminal status' },
    },
  };
}

/** The component schemas for the catalog: params per type, SubmitTask, JobLimits, UploadLimits. */
export function jobTypeSchemas(catalog: JobCatalog): Record<string, unknown>[] {
  const defs = catalog.list();
  const params = defs.map((d) => ({ ...d.paramsSchema, $id: paramsSchemaId(d.type), description: `params of ${d.type}: ${d.description}` }));
  const submitTask = {
    $id: 'SubmitTask',
    description: "A JSON submission: `params` follows the type's schema (`params` may be left out when it has no required field)",
    oneOf: defs.filter((d) => !d.upload).map(jsonSubmission),
  };
  return [...params, submitTask, JobLimitsSchema, UploadLimitsSchema];
}
