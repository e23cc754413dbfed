import { assessmentSchema, spellingSchema } from '../test-fixtures/job-type-schemas';
import { schemaFields } from './schema-fields';
import { mapServerErrors } from './server-errors';

describe('mapServerErrors', () => {
  const spelling = schemaFields(spellingSchema);
  const assessment = schemaFields(assessmentSchema);

  it('puts a missing property on its own field and drops the redundant if/then error', () => {
    const details = [
      { instancePath: '', keyword: 'required', params: { missingProperty: 'classId' }, message: "must have required property 'classId'" },
      { instancePath: '', keyword: 'if', params: { failingKeyword: 'then' }, message: 'must match "then" schema' },
    ];
    expect(mapServerErrors(details, spelling)).toEqual({ byField: { '/classId': 'Required.' }, general: [] });
  });

  it('maps an error inside a list item to the list field, phrased as a sentence', () => {
    const details = [{ instancePath: '/batchFilters/ids/0', keyword: 'minLength', params: { limit: 1 }, message: 'must NOT have fewer than 1 characters' }];
    expect(mapServerErrors(details, assessment).byField).toEqual({ '/batchFilters/ids': 'Must NOT have fewer than 1 characters.' });
  });

  it('says a date format error plainly', () => {
    const details = [{ instancePath: '/from', keyword: 'format', params: { format: 'date' }, message: 'must match format "date"' }];
    expect(mapServerErrors(details, spelling).byField).toEqual({ '/from': 'Enter a whole date: day, month and year.' });
  });

  it('keeps errors that belong to no field as general messages, and accepts {errors: [...]}', () => {
    const details = {
      errors: [
        { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'colour' }, message: 'must NOT have additional properties' },
        { instancePath: '/other', keyword: 'type', message: 'must be string' },
      ],
    };
    expect(mapServerErrors(details, spelling)).toEqual({ byField: {}, general: ['Unknown field "colour".', '/other: Must be string.'] });
  });

  it('keeps the first error of a field and ignores details it cannot read', () => {
    const details = [
      { instancePath: '/schoolId', keyword: 'type', message: 'must be string' },
      { instancePath: '/schoolId', keyword: 'minLength', message: 'must NOT have fewer than 1 characters' },
    ];
    expect(mapServerErrors(details, spelling).byField).toEqual({ '/schoolId': 'Must be string.' });
    expect(mapServerErrors('nonsense', spelling)).toEqual({ byField: {}, general: [] });
  });
});
