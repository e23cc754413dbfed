import { zipProblem } from './zip-check';

const limits = { maxBytes: 200 * 1024 * 1024, maxUncompressedBytes: 2 * 1024 ** 3, maxEntries: 100 };

describe('zipProblem', () => {
  it('accepts a zip within the size limit', () => {
    expect(zipProblem({ name: 'Import.ZIP', size: 1000 }, limits)).toBeUndefined();
  });

  it('names what is wrong with the file', () => {
    expect(zipProblem({ name: 'pupils.csv', size: 10 }, limits)).toBe('"pupils.csv" is not a .zip file. Choose a zip archive.');
    expect(zipProblem({ name: 'a.zip', size: 0 }, limits)).toBe('"a.zip" is empty.');
    expect(zipProblem({ name: 'big.zip', size: 300 * 1024 * 1024 }, limits)).toBe('"big.zip" is 300 MB; the largest upload accepted is 200 MB.');
  });
});
