import { apiHarvest } from './api-harvest';
import { CHECK_PIPELINE_TYPES } from './check-pipeline';
import { defineJobType, ENUM_NAMES, type JobLimits, type JobTypeDefinition } from './job-type';

export interface SpellingReportParams {
  scope: 'class' | 'school';
  schoolId: string;
  classId?: string;
  from: string;
  to: string;
}

export interface AssessmentReportParams {
  batchFilters: { ids: string[]; channels: string[] };
  contentFilters?: { subjects?: string[]; minScore?: number; maxScore?: number };
  output_format: 'csv' | 'json';
}

export interface CloudImportParams {
  /** Set by the gateway: the S3 key of the uploaded zip. */
  uploadKey?: string;
  /** The uploaded file's name, as the user named it. */
  fileName?: string;
}

/** Seed 000's `GenerateUPFReport`: its request detail, as the client's own processor reads it. */
export type UpfReportParams = Record<string, unknown>;

export interface DiagnosticParams {
  sleepMs?: number;
  failAttempts?: number;
  hang?: boolean;
  artifactBytes?: number;
  progressSteps?: number;
  /** CPU time to spend computing (a CPU-bound job, for benchmarks of worker scaling). */
  cpuMs?: number;
  /** Its result lists this many parts (each its `sleepMs`): what a workflow's fan-out makes one child per. */
  parts?: number;
}

export const spellingReport = defineJobType<SpellingReportParams>({
  type: 'spelling-report',
  title: 'Spelling report',
  description: "Each pupil's spelling scores week by week, with averages, for one class or the whole school: a spreadsheet (report.xlsx) and a CSV file.",
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['scope', 'schoolId', 'from', 'to'],
    properties: {
      scope: { type: 'string', title: 'Report on', enum: ['class', 'school'], [ENUM_NAMES]: ['One class', 'The whole school'] },
      schoolId: { type: 'string', title: 'School ID', minLength: 1, maxLength: 64, description: 'As it appears in your school data.' },
      classId: { type: 'string', title: 'Class ID', minLength: 1, maxLength: 64, description: 'Needed for a report on one class.' },
      from: { type: 'string', format: 'date', description: 'The first day the report covers.' },
      to: { type: 'string', format: 'date', description: 'The last day the report covers.' },
    },
    if: { properties: { scope: { const: 'class' } } },
    // `properties` names classId here too, so linters (Redocly) see the required field defined.
    then: { required: ['classId'], properties: { classId: { description: 'Required when scope is "class"' } } },
  },
});

export const assessmentReport = defineJobType<AssessmentReportParams>({
  type: 'assessment-report',
  title: 'Assessment score report',
  description: 'The scores of one or more assessment batches, one file per batch. Several batches run as parts of one task, each with its own file.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['batchFilters', 'output_format'],
    properties: {
      batchFilters: {
        type: 'object',
        title: 'Batches',
        additionalProperties: false,
        required: ['ids', 'channels'],
        properties: {
          ids: {
            type: 'array',
            title: 'Batch IDs',
            description: 'The batches to report on; leave empty to report every batch published on the channels.',
            maxItems: 200,
            uniqueItems: true,
            items: { type: 'string', minLength: 1, maxLength: 64 },
          },
          channels: {
            type: 'array',
            title: 'Channels',
            description: 'The channels the batches are published on; a batch on another channel is skipped.',
            maxItems: 50,
            items: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        // Batches by id, or (seed 001's sample) every batch published on some channels.
        anyOf: [{ properties: { ids: { minItems: 1 } } }, { properties: { channels: { minItems: 1 } } }],
      },
      contentFilters: {
        type: 'object',
        title: 'Which scores',
        additionalProperties: false,
        properties: {
          subjects: { type: 'array', title: 'Subjects', description: 'Only these subjects; leave empty for all.', items: { type: 'string', minLength: 1 } },
          minScore: { type: 'number', title: 'Lowest score' },
          maxScore: { type: 'number', title: 'Highest score' },
        },
      },
      output_format: { type: 'string', title: 'File format', enum: ['csv', 'json'], [ENUM_NAMES]: ['CSV (opens in a spreadsheet)', 'JSON (for other software)'] },
    },
  },
});

export const cloudImport = defineJobType<CloudImportParams>({
  type: 'cloud-import',
  title: 'Data import (zip)',
  description: 'Adds or updates classes, pupils, spelling results and assessment scores from one zip of CSV files (classes.csv, pupils.csv, spelling_results.csv, assessment_scores.csv).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      uploadKey: { type: 'string' },
      fileName: { type: 'string' },
    },
  },
  upload: { maxBytes: 200 * 1024 * 1024, maxUncompressedBytes: 2 * 1024 * 1024 * 1024, maxEntries: 100 },
  limits: { timeoutMs: 30 * 60_000 },
});

export const diagnostic = defineJobType<DiagnosticParams>({
  type: 'diagnostic',
  title: 'Diagnostic',
  description: "The platform's own job for tests and benchmarks: sleeps, computes, fails, hangs, writes an artifact, reports progress.",
  enabledByDefault: false,
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      sleepMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
      failAttempts: { type: 'integer', minimum: 0, maximum: 100 },
      hang: { type: 'boolean' },
      artifactBytes: { type: 'integer', minimum: 0, maximum: 1024 * 1024 * 1024 },
      progressSteps: { type: 'integer', minimum: 0, maximum: 1000 },
      cpuMs: { type: 'integer', minimum: 0, maximum: 600_000 },
      parts: { type: 'integer', minimum: 0, maximum: 1000, title: 'Parts', description: 'Its result lists this many parts, for a workflow to fan out over.' },
    },
  },
  limits: { prefetch: 32 },
});

/** A type Taskyard stores, queues and tracks but does not run: the client's own processor claims it over HTTP. */
export const upfReport = defineJobType<UpfReportParams>({
  type: 'upf-report',
  title: 'UPF report',
  description: "A report made by the school product's own report processor: Taskyard queues it and keeps its status and files.",
  processedOutside: true,
  paramsSchema: { type: 'object', additionalProperties: true, maxProperties: 100 },
});

export const ALL_JOB_TYPES: JobTypeDefinition[] = [spellingReport, assessmentReport, cloudImport, diagnostic, upfReport, ...CHECK_PIPELINE_TYPES, apiHarvest] as JobTypeDefinition[];

export interface JobTypeOptions {
  /** Turns on types that are off by default (diagnostic). */
  enableDiagnostic?: boolean;
  /** Per-type limit overrides, e.g. from TASKYARD_LIMITS='{"diagnostic":{"timeoutMs":2000}}'. */
  limitOverrides?: Record<string, Partial<JobLimits>>;
  /** More types to process outside by HTTP processors instead of a worker service. */
  processedOutside?: string[];
}

/** The job types this deployment runs, with configured limits applied. */
export function jobTypes(opts: JobTypeOptions = {}): Map<string, JobTypeDefinition> {
  const map = new Map<string, JobTypeDefinition>();
  for (const def of ALL_JOB_TYPES) {
    if (!def.enabledByDefault && !(def.type === 'diagnostic' && opts.enableDiagnostic)) continue;
    const processedOutside = def.processedOutside || opts.processedOutside?.includes(def.type) || undefined;
    map.set(def.type, { ...def, limits: { ...def.limits, ...opts.limitOverrides?.[def.type] }, ...(processedOutside ? { processedOutside } : {}) });
  }
  return map;
}

/**
 * Reads ENABLE_DIAGNOSTIC, TASKYARD_LIMITS and TASKYARD_EXTERNAL_TYPES (comma-separated types processed by
 * HTTP processors) from the given environment (no Node globals: the console imports contracts too).
 */
export function jobTypesFromEnv(env: Record<string, string | undefined>): Map<string, JobTypeDefinition> {
  const enableDiagnostic = ['1', 'true', 'yes', 'on'].includes((env.ENABLE_DIAGNOSTIC ?? '').toLowerCase());
  const limitOverrides = env.TASKYARD_LIMITS ? (JSON.parse(env.TASKYARD_LIMITS) as Record<string, Partial<JobLimits>>) : undefined;
  const processedOutside = (env.TASKYARD_EXTERNAL_TYPES ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return jobTypes({ enableDiagnostic, limitOverrides, processedOutside });
}
