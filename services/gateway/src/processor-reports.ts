import type { ArtifactRef, CompletionReport, ReportedArtifact } from '@taskyard/contracts';
import { artifactKey, type ObjectStore } from '@taskyard/storage';
import { InvalidParams } from './errors';
import type { Settlement } from './processor-leases';

/** A file name an external processor may store an artifact under: one path segment, no surprises. */
export const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MAX_URL_LENGTH = 2048;

function invalid(message: string, index: number): InvalidParams {
  return new InvalidParams(message, [{ instancePath: `/artifacts/${index}`, keyword: 'artifact', params: {}, message }]);
}

/** An artifact kept where the processor put it: an http(s) URL without credentials, shown as given. */
function urlArtifact(raw: string, name: string | undefined, index: number): ArtifactRef {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`artifacts/${index} is not a valid URL`, index);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`artifacts/${index} must be an http(s) URL`, index);
  if (url.username || url.password) throw invalid(`artifacts/${index} must not carry credentials`, index);
  if (raw.length > MAX_URL_LENGTH) throw invalid(`artifacts/${index} is longer than ${MAX_URL_LENGTH} characters`, index);
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
  const shown = name ?? (ARTIFACT_NAME.test(last) ? last : `artifact-${index + 1}`);
  if (!ARTIFACT_NAME.test(shown)) throw invalid(`artifacts/${index} name "${shown}" is not a plain file name`, index);
  return { name: shown, key: '', size: 0, contentType: 'application/octet-stream', url: url.toString() };
}

/**
 * The name of an uploaded file as a processor reports it: a bare name, or a path ending in it, as seed
 * 000's processor sends `/GenerateSpellingReport/{requestId}/report.xlsx` (its spaces trimmed).
 */
function uploadedName(reported: string, index: number): string {
  const name = reported.trim().split('/').pop()?.trim() ?? '';
  if (!ARTIFACT_NAME.test(name)) throw invalid(`artifacts/${index} "${reported.slice(0, 100)}" does not end in a plain file name`, index);
  return name;
}

/** A processor's reported artifacts as the task's: uploaded files must be in S3 under the task, URLs are kept. */
export async function resolveArtifacts(store: ObjectStore, type: string, taskId: string, reported: ReportedArtifact[]): Promise<ArtifactRef[]> {
  const refs: ArtifactRef[] = [];
  for (const [index, item] of reported.entries()) {
    if (typeof item === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(item.trim())) {
      refs.push(urlArtifact(item.trim(), undefined, index));
      continue;
    }
    if (typeof item === 'object' && 'url' in item) {
      refs.push(urlArtifact(item.url, item.name, index));
      continue;
    }
    const name = uploadedName(typeof item === 'string' ? item : item.name, index);
    const key = artifactKey(type, taskId, name);
    const stored = await store.head(key);
    if (!stored) throw invalid(`artifacts/${index} "${name}" was not uploaded: get an upload URL for it first`, index);
    refs.push({ name, key, size: stored.size, contentType: stored.contentType });
  }
  const names = refs.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw invalid(`artifact "${twice}" is reported twice`, names.indexOf(twice));
  return refs;
}

/** The outcome of a report as the settlement the leases record. */
export async function settlementOf(store: ObjectStore, type: string, taskId: string, report: Omit<CompletionReport, 'leaseId'>): Promise<Settlement> {
  if (report.status === 'succeeded') {
    return { outcome: 'succeeded', artifacts: await resolveArtifacts(store, type, taskId, report.artifacts ?? []), ...(report.result ? { result: report.result } : {}) };
  }
  if (report.status === 'cancelled') return { outcome: 'cancelled' };
  const message = report.error?.message?.trim() || 'the processor reported a failure without a message';
  return { outcome: 'failed', error: { code: report.error?.code ?? 'processor-failed', message }, retry: report.retry ?? false };
}

