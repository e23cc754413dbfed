import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JobTypeDefinition } from '@taskyard/contracts';
import { InvalidParams, UnknownJobType } from './errors';
import type { SubmitCheck } from './submit-checks';

/** Ajv's wording with the failing path in front, e.g. `params/from must match format "date"`. */
export function describeAjvError(e: ErrorObject, root: string): string {
  const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
  const extra = e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty?: string }).additionalProperty)}` : '';
  return `${root}${e.instancePath}${missing}${extra} ${e.message ?? 'is invalid'}`;
}

export function invalidParams(errors: ErrorObject[], root = 'params'): InvalidParams {
  const lines = errors.map((e) => describeAjvError(e, root));
  return new InvalidParams(lines.length > 3 ? `${lines.slice(0, 3).join('; ')} (and ${lines.length - 3} more)` : lines.join('; '), errors);
}

/** The job types this gateway accepts, each with its params validator compiled once. */
export class JobCatalog {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    readonly types: Map<string, JobTypeDefinition>,
    private readonly checks: ReadonlyMap<string, SubmitCheck> = new Map(),
  ) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const def of types.values()) this.validators.set(def.type, ajv.compile(def.paramsSchema));
  }

  get(type: string): JobTypeDefinition {
    const def = this.types.get(type);
    if (!def) throw new UnknownJobType(type, [...this.types.keys()]);
    return def;
  }

  list(): JobTypeDefinition[] {
    return [...this.types.values()];
  }

  /** Throws InvalidParams with Ajv's errors (instancePath relative to `params`), then the type's own check's failure. */
  validate(def: JobTypeDefinition, params: Record<string, unknown>): void {
    const validate = this.validators.get(def.type)!;
    if (!validate(params)) throw invalidParams(validate.errors ?? []);
    this.check(def.type, params, 'params');
  }

  /** Only the type's own check (no schema): for params known in part, e.g. a workflow stage's fixed ones. */
  check(type: string, params: Record<string, unknown>, field: string): void {
    const failure = this.checks.get(type)?.(params, field);
    if (failure) throw failure;
  }

  /** The largest upload any type accepts: the cap while the type of a multipart upload is not yet known. */
  get maxUploadBytes(): number {
    return Math.max(0, ...this.list().map((d) => d.upload?.maxBytes ?? 0));
  }
}
