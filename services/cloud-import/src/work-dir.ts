import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A task's private working directory: `<root>/<taskId>/` with `inbound/` (extracted) and `outbound/` (results). */
export interface WorkDir {
  root: string;
  inbound: string;
  outbound: string;
  /** Where the uploaded zip is downloaded to. */
  zipPath: string;
}

export const defaultWorkRoot = (): string => process.env.IMPORT_WORK_DIR ?? join(tmpdir(), 'taskyard-imports');

export async function createWorkDir(workRoot: string, taskId: string): Promise<WorkDir> {
  const root = join(workRoot, taskId.replace(/[^A-Za-z0-9_-]/g, '_'));
  // A retry starts clean: whatever an earlier, killed attempt left is not trusted.
  await rm(root, { recursive: true, force: true });
  const dir = { root, inbound: join(root, 'inbound'), outbound: join(root, 'outbound'), zipPath: join(root, 'upload.zip') };
  // Private: the files are pupils' data.
  await mkdir(dir.inbound, { recursive: true, mode: 0o700 });
  await mkdir(dir.outbound, { recursive: true, mode: 0o700 });
  return dir;
}

export async function removeWorkDir(dir: WorkDir): Promise<void> {
  await rm(dir.root, { recursive: true, force: true });
}
