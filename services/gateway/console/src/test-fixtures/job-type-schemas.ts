import { assessmentReport, cloudImport, diagnostic, spellingReport } from '@taskyard/contracts';
import type { JsonSchema } from '../api/api-types';

/**
 * The job types' params schemas, straight from libs/contracts (the same objects GET /v1/job-types serves),
 * so the form tests cannot drift from the real contract. Test-only: the console bundle never imports them.
 */
export const spellingSchema = spellingReport.paramsSchema as JsonSchema;
export const assessmentSchema = assessmentReport.paramsSchema as JsonSchema;
export const cloudImportSchema = cloudImport.paramsSchema as JsonSchema;
export const diagnosticSchema = diagnostic.paramsSchema as JsonSchema;
