import { resultParts } from './result-shape';

describe('resultParts', () => {
  it('lists plain values as facts', () => {
    expect(resultParts({ pupils: 987, format: 'csv' })).toEqual([{ kind: 'facts', facts: [['Pupils', '987'], ['Format', 'csv']] }]);
  });

  it('shows a list of records as a table, with small nested counts as text', () => {
    const parts = resultParts({
      files: [
        { entry: 'pupils.csv', rows: 3, accepted: 2, rejected: 1, documents: { inserted: 2, updated: 0 }, rejectedFile: 'rejected-pupils.csv' },
        { entry: 'classes.csv', rows: 1, accepted: 1, rejected: 0, documents: { inserted: 1, updated: 0 } },
      ],
    });
    expect(parts).toEqual([
      {
        kind: 'table',
        title: 'Files',
        columns: ['Entry', 'Rows', 'Accepted', 'Rejected', 'Documents', 'Rejected file'],
        rows: [
          ['pupils.csv', '3', '2', '1', 'inserted 2, updated 0', 'rejected-pupils.csv'],
          ['classes.csv', '1', '1', '0', 'inserted 1, updated 0', ''],
        ],
      },
    ]);
  });

  it('shows a flat record as titled facts, and anything deeper as JSON', () => {
    expect(resultParts({ totals: { rows: 4, rejected: 1 } })).toEqual([{ kind: 'facts', title: 'Totals', facts: [['Rows', '4'], ['Rejected', '1']] }]);
    expect(resultParts({ deep: { a: { b: { c: 1 } } } })[0]).toMatchObject({ kind: 'json', title: 'Deep' });
    expect(resultParts({ batches: ['b1', 'b2'] })).toEqual([{ kind: 'facts', title: undefined, facts: [['Batches', 'b1, b2']] }]);
    expect(resultParts({ schools: [] })).toEqual([{ kind: 'facts', title: undefined, facts: [['Schools', '–']] }]);
  });
});
