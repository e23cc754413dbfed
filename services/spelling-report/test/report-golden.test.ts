import { readdirSync, readFileSync } from 'node:fs';
import type { SpellingReportParams } from '@taskyard/contracts';
import { runDirect } from '@taskyard/school-data/src/testing/direct-job-context';
import { startJobTestEnv, type JobTestEnv } from '@taskyard/school-data/src/testing/job-test-env';
import { spellingReportWorker } from '../src/spelling-report-handler';
import { insertSchool, randomSchool } from './random-school';
import { xlsxParts } from './xlsx-parts';

/**
 * The report's files are exactly those the exceljs-based writer made at fd1ddc0 (issue 19 made the
 * writing cheaper, not different): every part of the xlsx byte for byte (but the creation time), the
 * csv byte for byte. The golden files hold both for random schools (test/random-school.ts: names with
 * quotes, commas and accents, pupils who moved class or sat no test, weeks without a test).
 */
interface Golden {
  params: SpellingReportParams;
  csv: string;
  xlsx: Record<string, string>;
}

const DIR = `${__dirname}/golden`;
const cases = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

let env: JobTestEnv;

beforeAll(async () => {
  env = await startJobTestEnv('spelling-golden');
  // The golden files' schools: g<seed>-a (and g<seed>-b, whose class some tests wrongly name).
  for (const seed of new Set(cases.map((f) => Number(/^seed(\d+)/.exec(f)![1])))) await insertSchool(env.conn, randomSchool(seed, `g${seed}`));
});
afterAll(async () => {
  await env?.close();
});

test('there are golden reports to compare with', () => {
  expect(cases.length).toBeGreaterThanOrEqual(3);
});

test.each(cases)('%s: the same xlsx parts and csv bytes as the golden report', async (file) => {
  const golden = JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as Golden;
  const run = await runDirect(spellingReportWorker, { params: golden.params, db: env.conn, store: env.store });
  const bytesOf = (name: string): Promise<Buffer> => env.store.getBuffer(run.artifacts.find((a) => a.name === name)!.key);
  const parts = await xlsxParts(await bytesOf('report.xlsx'));
  expect(Object.keys(parts)).toEqual(Object.keys(golden.xlsx));
  for (const [name, xml] of Object.entries(golden.xlsx)) expect({ name, xml: parts[name] }).toEqual({ name, xml });
  expect((await bytesOf('report.csv')).toString('utf8')).toBe(golden.csv);
});
