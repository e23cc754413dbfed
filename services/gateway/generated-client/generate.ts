/**
 * Generates `api.ts` (types only) from an OpenAPI document with openapi-typescript, as its users do (a binary
 * string, the multipart `file`, becomes a Blob, per openapi-typescript's documented transform).
 * Usage: tsx generate.ts <openapi.json> <api.ts>
 */
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: generate.ts <openapi.json> <api.ts>');
  const doc: unknown = JSON.parse(await readFile(input, 'utf8'));
  const ast = await openapiTS(doc as Parameters<typeof openapiTS>[0], {
    transform: (schema) => (schema.format === 'binary' ? BLOB : undefined),
  });
  await writeFile(output, astToString(ast));
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
