import { assessmentSchema, diagnosticSchema, spellingSchema } from '../test-fixtures/job-type-schemas';
import { buildParams, initialValues, requiredPaths } from './form-values';
import { schemaFields } from './schema-fields';

const spelling = schemaFields(spellingSchema);
const assessment = schemaFields(assessmentSchema);
const diagnostic = schemaFields(diagnosticSchema);

describe('buildParams', () => {
  it('reports every missing required field, and classId only when scope is class', () => {
    expect(buildParams(spelling, initialValues(spelling)).errors).toEqual({
      '/scope': 'Required.',
      '/schoolId': 'Required.',
      '/from': 'Required.',
      '/to': 'Required.',
    });
    const classScope = { ...initialValues(spelling), '/scope': 'class', '/schoolId': 's1', '/from': '2025-09-01', '/to': '2026-07-20' };
    expect(buildParams(spelling, classScope).errors).toEqual({ '/classId': 'Required.' });
    expect(buildParams(spelling, { ...classScope, '/scope': 'school' }).errors).toEqual({});
  });

  it('builds typed params, trimming text and leaving empty optional fields out', () => {
    const values = { '/scope': 'class', '/schoolId': '  s1 ', '/classId': 'c7', '/from': '2025-09-01', '/to': '2026-07-20' };
    expect(buildParams(spelling, values)).toEqual({
      params: { scope: 'class', schoolId: 's1', classId: 'c7', from: '2025-09-01', to: '2026-07-20' },
      errors: {},
    });
  });

  it('rejects a date that is not a whole calendar date', () => {
    const values = { '/scope': 'school', '/schoolId': 's1', '/from': '01/09/2025', '/to': '2026-07-20' };
    expect(buildParams(spelling, values).errors).toEqual({ '/from': 'Enter a whole date: day, month and year.' });
  });

  it('splits comma-separated lists and omits an untouched optional object', () => {
    const values = { ...initialValues(assessment), '/batchFilters/ids': 'b1, b2,, b3\nb4', '/batchFilters/channels': 'web', '/output_format': 'csv' };
    expect(buildParams(assessment, values)).toEqual({
      params: { batchFilters: { ids: ['b1', 'b2', 'b3', 'b4'], channels: ['web'] }, output_format: 'csv' },
      errors: {},
    });
  });

  it('includes an optional object once one of its fields has a value, as numbers', () => {
    const values = { '/batchFilters/ids': 'b1', '/batchFilters/channels': 'web', '/output_format': 'json', '/contentFilters/minScore': '40.5' };
    expect(buildParams(assessment, values).params.contentFilters).toEqual({ minScore: 40.5 });
  });

  it('asks for the required lists of a required object', () => {
    expect(buildParams(assessment, { '/output_format': 'csv' }).errors).toEqual({
      '/batchFilters/ids': 'Required: enter at least one, separated by commas.',
      '/batchFilters/channels': 'Required: enter at least one, separated by commas.',
    });
  });

  it('checks integers and their bounds, and leaves an unchecked optional checkbox out', () => {
    expect(buildParams(diagnostic, { '/sleepMs': '1.5', '/failAttempts': '101', '/hang': false }).errors).toEqual({
      '/sleepMs': 'Enter a whole number.',
      '/failAttempts': 'Must be at most 100.',
    });
    expect(buildParams(diagnostic, { '/sleepMs': '200', '/hang': true, '/progressSteps': '' })).toEqual({
      params: { sleepMs: 200, hang: true },
      errors: {},
    });
    expect(buildParams(diagnostic, { '/hang': false }).params).toEqual({});
  });

  it('refuses a value outside the enum', () => {
    expect(buildParams(spelling, { '/scope': 'district' }).errors['/scope']).toBe('Choose one of the options.');
  });
});

describe('requiredPaths', () => {
  it('follows the conditional requirement as the user types', () => {
    expect(requiredPaths(spelling, { '/scope': 'school' }).has('/classId')).toBe(false);
    expect(requiredPaths(spelling, { '/scope': 'class' }).has('/classId')).toBe(true);
    expect(requiredPaths(assessment, {}).has('/batchFilters/ids')).toBe(true);
  });
});

describe('initialValues', () => {
  it('starts empty, with schema defaults where given', () => {
    const fields = schemaFields({ type: 'object', properties: { n: { type: 'integer', default: 3 }, f: { type: 'boolean' }, l: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] } } });
    expect(initialValues(fields)).toEqual({ '/n': '3', '/f': false, '/l': 'a, b' });
  });
});
