import { defineJobType, type JobLimits, type JobTypeDefinition } from './job-type';

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

export interface DiagnosticParams {
  sleepMs?: number;
  failAttempts?: number;
  hang?: boolean;
  artifactBytes?: number;
  progressSteps?: number;
}

export const spellingReport = defineJobType<SpellingReportParams>({
  type: 'spelling-report',
  title: 'Spelling report',
  description: 'Pupil x week spelling scores with averages for a class or a whole school: report.xlsx and report.csv.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['scope', 'schoolId', 'from', 'to'],
    properties: {
      scope: { type: 'string', enum: ['class', 'school'], description: 'One class or the whole school' },
      schoolId: { type: 'string', minLength: 1, maxLength: 64 },
      classId: { type: 'string', minLength: 1, maxLength: 64 },
      from: { type: 'string', format: 'date', description: 'First day (YYYY-MM-DD)' },
      to: { type: 'string', format: 'date', description: 'Last day (YYYY-MM-DD)' },
    },
    if: { properties: { scope: { const: 'class' } } },
    // `properties` names classId here too, so linters (Redocly) see the required field defined.
    then: { required: ['classId'], properties: { classId: { description: 'Required when scope is "class"' } } },
  },
});

export const assessmentReport = defineJobType<AssessmentReportParams>({
  type: 'assessment-report',
  title: 'Assessment score report',
  description: 'Scores per batch (seed 001 assessment-score-report); several batches fan out into one child task each.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['batchFilters', 'output_format'],
    properties: {
      batchFilters: {
        type: 'object',
        additionalProperties: false,
        required: ['ids', 'channels'],
        properties: {
          ids: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } },
          channels: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
      contentFilters: {
        type: 'object',
        additionalProperties: false,
        properties: {
          subjects: { type: 'array', items: { type: 'string', minLength: 1 } },
          minScore: { type: 'number' },
          maxScore: { type: 'number' },
        },
      },
      output_format: { type: 'string', enum: ['csv', 'json'] },
    },
  },
});

export const cloudImport = defineJobType<CloudImportParams>({
  type: 'cloud-import',
  title: 'Data import (zip)',
  description: 'Imports pupils.csv, classes.csv, spelling_results.csv and assessment_scores.csv from one uploaded zip.',
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
  description: "The platform's own job for tests and benchmarks: sleeps, fails, hangs, writes an artifact, reports progress.",
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
    },
  },
  limits: { prefetch: 32 },
});

export const ALL_JOB_TYPES: JobTypeDefinition[] = [spellingReport, assessmentReport, cloudImport, diagnostic] as JobTypeDefinition[];

export interface JobTypeOptions {
  /** Turns on types that are off by default (diagnostic). */
  enableDiagnostic?: boolean;
  /** Per-type limit overrides, e.g. from TASKYARD_LIMITS='{"diagnostic":{"timeoutMs":2000}}'. */
  limitOverrides?: Record<string, Partial<JobLimits>>;
}

/** The job types this deployment runs, with configured limits applied. */
export function jobTypes(opts: JobTypeOptions = {}): Map<string, JobTypeDefinition> {
  const map = new Map<string, JobTypeDefinition>();
  for (const def of ALL_JOB_TYPES) {
    if (!def.enabledByDefault && !(def.type === 'diagnostic' && opts.enableDiagnostic)) continue;
    map.set(def.type, { ...def, limits: { ...def.limits, ...opts.limitOverrides?.[def.type] } });
  }
  return map;
}

/** Reads ENABLE_DIAGNOSTIC and TASKYARD_LIMITS from the given environment (no Node globals: the console imports contracts too). */
export function jobTypesFromEnv(env: Record<string, string | undefined>): Map<string, JobTypeDefinition> {
  const enableDiagnostic = ['1', 'true', 'yes', 'on'].includes((env.ENABLE_DIAGNOSTIC ?? '').toLowerCase());
  const limitOverrides = env.TASKYARD_LIMITS ? (JSON.parse(env.TASKYARD_LIMITS) as Record<string, Partial<JobLimits>>) : undefined;
  return jobTypes({ enableDiagnostic, limitOverrides });
}
