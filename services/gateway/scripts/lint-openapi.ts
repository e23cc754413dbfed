/**
 * Lints an OpenAPI document with Redocly's `recommended` rules and Spectral's `spectral:oas`, the two
 * linters API users run, with every rule of both on. Prints one JSON line `{redocly, spectral}`: the
 * errors and warnings (hints and infos left out). Exits 0 either way (the test judges); a separate
 * process because Redocly's core is ESM-only.
 * Usage: tsx scripts/lint-openapi.ts <openapi.json>
 */
import { readFile } from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Document, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';

export interface LintProblem {
  linter: 'redocly' | 'spectral';
  rule: string;
  severity: 'error' | 'warning';
  path: string;
  message: string;
}

async function redocly(source: string): Promise<LintProblem[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source, config, absoluteRef: 'openapi.json' });
  return problems
    .filter((p) => p.severity === 'error' || p.severity === 'warn')
    .map((p) => ({
      linter: 'redocly',
      rule: p.ruleId,
      severity: p.severity === 'error' ? 'error' : 'warning',
      path: p.location[0]?.pointer ?? '',
      message: p.message,
    }));
}

async function spectral(source: string): Promise<LintProblem[]> {
  const linter = new Spectral();
  linter.setRuleset({ extends: [[oas as never, 'recommended']] });
  const results = await linter.run(new Document(source, Json, 'openapi.json'));
  // Spectral's severities: 0 error, 1 warning, 2 info, 3 hint.
  return results
    .filter((r) => r.severity <= 1)
    .map((r) => ({
      linter: 'spectral',
      rule: String(r.code),
      severity: r.severity === 0 ? 'error' : 'warning',
      path: r.path.join('.'),
      message: r.message,
    }));
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: lint-openapi.ts <openapi.json>');
  const source = await readFile(file, 'utf8');
  const [r, s] = await Promise.all([redocly(source), spectral(source)]);
  process.stdout.write(`${JSON.stringify({ redocly: r, spectral: s })}\n`);
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
