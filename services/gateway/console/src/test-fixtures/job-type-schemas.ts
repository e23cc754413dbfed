import type { JsonSchema } from '../api/api-types';

/**
 * The job types' params schemas as libs/contracts defines them (copied: the console does not depend on
 * the server's code). The browser tests exercise the real ones through GET /v1/job-types.
 */
export const spellingSchema: JsonSchema = {
  type: 'object',
  required: ['scope', 'schoolId', 'from', 'to'],
  properties: {
    scope: { type: 'string', enum: ['class', 'school'], description: 'One class or the whole school' },
    schoolId: { type: 'string', minLength: 1, maxLength: 64 },
    classId: { type: 'string', minLength: 1, maxLength: 64 },
    from: { type: 'string', format: 'date', description: 'First day (YYYY-MM-DD)' },
    to: { type: 'string', format: 'date', description: 'Last day (YYYY-MM-DD)' },
  },
  if: { properties: { scope: { const: 'class' } } },
  then: { required: ['classId'] },
};

export const assessmentSchema: JsonSchema = {
  type: 'object',
  required: ['batchFilters', 'output_format'],
  properties: {
    batchFilters: {
      type: 'object',
      required: ['ids', 'channels'],
      properties: {
        ids: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 64 } },
        channels: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64 } },
      },
    },
    contentFilters: {
      type: 'object',
      properties: {
        subjects: { type: 'array', items: { type: 'string', minLength: 1 } },
        minScore: { type: 'number' },
        maxScore: { type: 'number' },
      },
    },
    output_format: { type: 'string', enum: ['csv', 'json'] },
  },
};

export const cloudImportSchema: JsonSchema = {
  type: 'object',
  properties: { uploadKey: { type: 'string' }, fileName: { type: 'string' } },
};

export const diagnosticSchema: JsonSchema = {
  type: 'object',
  properties: {
    sleepMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    failAttempts: { type: 'integer', minimum: 0, maximum: 100 },
    hang: { type: 'boolean' },
    artifactBytes: { type: 'integer', minimum: 0, maximum: 1024 * 1024 * 1024 },
    progressSteps: { type: 'integer', minimum: 0, maximum: 1000 },
  },
};
