import { assessmentSchema, cloudImportSchema, diagnosticSchema, spellingSchema } from '../test-fixtures/job-type-schemas';
import { flattenFields } from './field-spec';
import { schemaFields } from './schema-fields';

describe('schemaFields', () => {
  it('maps the spelling report: enum as select, dates, required and the conditional classId', () => {
    const fields = schemaFields(spellingSchema);
    expect(fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['/scope', 'enum', true],
      ['/schoolId', 'text', true],
      ['/classId', 'text', false],
      ['/from', 'date', true],
      ['/to', 'date', true],
    ]);
    expect(fields[0].options).toEqual(['class', 'school']);
    expect(fields[0].label).toBe('Report on');
    expect(fields[0].optionLabels).toEqual(['One class', 'The whole school']);
    expect(fields[1]).toMatchObject({ label: 'School ID', minLength: 1, maxLength: 64 });
    expect(fields[2].requiredWhen).toEqual([{ '/scope': 'class' }]);
  });

  it('maps nested objects to fieldsets and string arrays to lists', () => {
    const fields = schemaFields(assessmentSchema);
    expect(fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['/batchFilters', 'object', true],
      ['/contentFilters', 'object', false],
      ['/output_format', 'enum', true],
    ]);
    expect(fields[0].children?.map((f) => [f.path, f.kind, f.required, f.itemKind])).toEqual([
      ['/batchFilters/ids', 'string-list', true, 'text'],
      ['/batchFilters/channels', 'string-list', true, 'text'],
    ]);
    // Batch ids may be empty: then every batch published on the channels is reported (seed 001).
    expect(fields[0].children?.[0]).toMatchObject({ minItems: undefined, maxItems: 200 });
    expect(flattenFields(fields).map((f) => f.path)).toContain('/contentFilters/minScore');
    expect(fields[1].children?.find((f) => f.name === 'minScore')?.kind).toBe('number');
    expect(fields[2]).toMatchObject({ label: 'File format', optionLabels: ['CSV (opens in a spreadsheet)', 'JSON (for other software)'] });
  });

  it('shows an enum value itself when the schema names it no words', () => {
    const [field] = schemaFields({ type: 'object', properties: { size: { type: 'string', enum: ['s', 'm'], 'x-enumNames': ['Small'] } } });
    expect(field.optionLabels).toEqual(['Small', 'm']);
  });

  it('hides the params the gateway sets from an upload', () => {
    expect(schemaFields(cloudImportSchema, { hide: ['uploadKey', 'fileName'] })).toEqual([]);
    expect(schemaFields(cloudImportSchema).map((f) => f.name)).toEqual(['uploadKey', 'fileName']);
  });

  it('maps integers with their bounds and booleans to checkboxes', () => {
    const fields = schemaFields(diagnosticSchema);
    expect(fields.find((f) => f.name === 'sleepMs')).toMatchObject({ kind: 'integer', label: 'Sleep (ms)', minimum: 0, maximum: 3_600_000 });
    expect(fields.find((f) => f.name === 'hang')?.kind).toBe('boolean');
  });

  it('skips readOnly properties, reads allOf conditions, and falls back to JSON for shapes it has no input for', () => {
    const fields = schemaFields({
      type: 'object',
      properties: {
        id: { type: 'string', readOnly: true },
        mode: { type: 'string', enum: ['a', 'b'] },
        extra: { type: 'string' },
        rows: { type: 'array', items: { type: 'object' } },
      },
      allOf: [{ if: { properties: { mode: { enum: ['b'] } } }, then: { required: ['extra'] } }],
    });
    expect(fields.map((f) => f.name)).toEqual(['mode', 'extra', 'rows']);
    expect(fields[1].requiredWhen).toEqual([{ '/mode': 'b' }]);
    expect(fields[2].kind).toBe('json');
  });
});
