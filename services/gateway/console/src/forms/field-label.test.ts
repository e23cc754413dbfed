import { fieldLabel } from './field-label';

describe('fieldLabel', () => {
  it.each([
    ['schoolId', 'School ID'],
    ['classId', 'Class ID'],
    ['output_format', 'Output format'],
    ['batchFilters', 'Batch filters'],
    ['ids', 'IDs'],
    ['sleepMs', 'Sleep (ms)'],
    ['artifactBytes', 'Artifact bytes'],
    ['from', 'From'],
  ])('%s → %s', (name, label) => {
    expect(fieldLabel(name)).toBe(label);
  });
});
