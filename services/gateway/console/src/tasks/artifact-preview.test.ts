import { isPreviewable, previewText } from './artifact-preview';

describe('artifact preview', () => {
  it('previews small text files only', () => {
    expect(isPreviewable({ name: 'rejected-pupils.csv', size: 300, contentType: 'text/csv' })).toBe(true);
    expect(isPreviewable({ name: 'summary.json', size: 300, contentType: 'application/octet-stream' })).toBe(true);
    expect(isPreviewable({ name: 'report.xlsx', size: 300, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })).toBe(false);
    expect(isPreviewable({ name: 'report.csv', size: 10 * 1024 * 1024, contentType: 'text/csv' })).toBe(false);
  });

  it('keeps the first lines and counts the rest', () => {
    expect(previewText('a.csv', 'row,column,reason\r\n2,givenName,is required\r\n3,x,y\r\n', 2)).toEqual({ text: 'row,column,reason\n2,givenName,is required', omitted: 1 });
  });

  it('pretty-prints JSON', () => {
    expect(previewText('summary.json', '{"rows":3}').text).toBe('{\n  "rows": 3\n}');
    expect(previewText('bad.json', '{nope').text).toBe('{nope');
  });
});
