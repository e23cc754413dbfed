import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';

/**
 * What a repeat of an `Idempotency-Key` submission is compared on: the job type as sent, every other
 * part as a short digest of its canonical JSON (key order does not matter), the zip by its bytes' digest.
 */
export interface RequestFingerprint {
  type: string;
  parts: Record<FingerprintPart, string>;
}

export type FingerprintPart = 'title' | 'params' | 'tag' | 'callbackUrl' | 'file';
const PARTS: FingerprintPart[] = ['title', 'params', 'tag', 'callbackUrl', 'file'];

export interface FingerprintedRequest {
  type: string;
  title?: string;
  params: Record<string, unknown>;
  tag?: string;
  callbackUrl?: string;
  /** SHA-256 of an uploaded file's bytes. */
  fileSha256?: string;
}

const digest = (value: unknown): string => createHash('sha256').update(stableStringify(value ?? null)).digest('base64url').slice(0, 22);

export function fingerprintOf(req: FingerprintedRequest): RequestFingerprint {
  return {
    type: req.type,
    parts: {
      title: digest(req.title),
      params: digest(req.params),
      tag: digest(req.tag),
      callbackUrl: digest(req.callbackUrl),
      file: digest(req.fileSha256),
    },
  };
}

/** The parts in which a repeat differs from the first request (empty when it is the same request). */
export function fingerprintDifferences(first: RequestFingerprint, repeat: RequestFingerprint): string[] {
  const differ: string[] = first.type === repeat.type ? [] : ['type'];
  for (const part of PARTS) if (first.parts[part] !== repeat.parts[part]) differ.push(part);
  return differ;
}
