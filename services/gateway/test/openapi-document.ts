import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LintProblem } from '../scripts/lint-openapi';

const run = promisify(execFile);
const GATEWAY = resolve(__dirname, '..');
const TSX = resolve(GATEWAY, '../../node_modules/.bin/tsx');

/** The parts of an OpenAPI 3.1 document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  servers?: { url: string }[];
  tags?: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
}

export interface OpenApiOperation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Every operation of the document with its method and path. */
export function operations(doc: OpenApiDocument): { method: string; path: string; op: OpenApiOperation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ method, path, op })),
  );
}

/** Runs scripts/lint-openapi.ts (Redocly recommended + spectral:oas) over the document. */
export async function lintDocument(doc: OpenApiDocument): Promise<LintProblem[]> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await run(TSX, [join(GATEWAY, 'scripts/lint-openapi.ts'), file], { cwd: GATEWAY, maxBuffer: 16 * 1024 * 1024 });
    const result = JSON.parse(stdout) as { redocly: LintProblem[]; spectral: LintProblem[] };
    return [...result.redocly, ...result.spectral];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
