export { inspectZip } from './inspect-zip';
export type { ZipLimits, ZipSummary, ZipEntryInfo } from './inspect-zip';
export { ZipRejected } from './zip-rejected';
export type { ZipProblem } from './zip-rejected';
export { unsafePathReason, isSymlink, isDirectory } from './entry-rules';
