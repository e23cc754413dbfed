/** What is wrong with a zip the platform refuses. */
export type ZipProblem = 'not-a-zip' | 'unsafe-path' | 'symlink' | 'too-many-entries' | 'too-large-uncompressed';

export class ZipRejected extends Error {
  constructor(
    readonly problem: ZipProblem,
    message: string,
    /** The offending entry's name, when one entry is to blame. */
    readonly entry?: string,
  ) {
    super(message);
    this.name = 'ZipRejected';
  }
}
