import type { Artifact, Task } from '../api/api-types';

/** Margin before a presigned link's own expiry at which the page fetches a fresh one instead of using it. */
export const LINK_MARGIN_MS = 30_000;

/**
 * - `expired`: the file is gone (the task expired, or its retention time has passed);
 * - `stale`: the file is there but this page's short-lived link has (nearly) run out: fetch the task again;
 * - `available`: the link can be followed as it is.
 */
export type ArtifactState = 'available' | 'stale' | 'expired';

const past = (iso: string | null | undefined, now: number, margin = 0): boolean => {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(at) && at - margin <= now;
};

export function artifactState(task: Pick<Task, 'status' | 'expiresAt'>, artifact: Pick<Artifact, 'expiresAt' | 'url'>, now: number): ArtifactState {
  if (task.status === 'expired' || past(task.expiresAt, now)) return 'expired';
  if (!artifact.url || past(artifact.expiresAt, now, LINK_MARGIN_MS)) return 'stale';
  return 'available';
}
