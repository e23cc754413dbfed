import type { Artifact } from '../api/api-types';

/** Files up to this size can be shown in the page; larger ones are only downloaded. */
export const PREVIEW_MAX_BYTES = 256 * 1024;
export const PREVIEW_MAX_LINES = 50;

const TEXT_NAME = /\.(csv|json|txt|log)$/i;

/** Whether a file is text small enough to show in the page (an import's summary, its rejected rows). */
export function isPreviewable(artifact: Pick<Artifact, 'name' | 'size' | 'contentType'>): boolean {
  const textual = TEXT_NAME.test(artifact.name) || /^text\/|^application\/json/.test(artifact.contentType ?? '');
  return textual && artifact.size <= PREVIEW_MAX_BYTES;
}

/** The first lines of a file's text (JSON pretty-printed), and how many lines were left out. */
export function previewText(name: string, text: string, maxLines = PREVIEW_MAX_LINES): { text: string; omitted: number } {
  let body = text;
  if (/\.json$/i.test(name)) {
    try {
      body = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      body = text;
    }
  }
  const lines = body.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  return { text: lines.slice(0, maxLines).join('\n'), omitted: Math.max(0, lines.length - maxLines) };
}
