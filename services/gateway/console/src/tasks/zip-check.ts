import type { UploadLimits } from '../api/api-types';
import { formatBytes } from '../format/format';

/** What the picker knows of a chosen file before uploading it. */
export interface PickedFile {
  name: string;
  size: number;
}

/** Why a file cannot be uploaded, checked before spending the upload; the server checks the contents. */
export function zipProblem(file: PickedFile, limits: UploadLimits | undefined): string | undefined {
  if (!/\.zip$/i.test(file.name)) return `"${file.name}" is not a .zip file. Choose a zip archive.`;
  if (file.size === 0) return `"${file.name}" is empty.`;
  if (limits && file.size > limits.maxBytes) {
    return `"${file.name}" is ${formatBytes(file.size)}; the largest upload accepted is ${formatBytes(limits.maxBytes)}.`;
  }
  return undefined;
}
