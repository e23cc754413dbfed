import { useState } from 'preact/hooks';
import type { Artifact } from '../api/api-types';
import { previewText } from '../tasks/artifact-preview';

type State = { kind: 'closed' } | { kind: 'loading' } | { kind: 'shown'; text: string; omitted: number } | { kind: 'failed' };

/** Shows a small text artifact in the page, fetched from its presigned link on request. */
export function ArtifactPreview({ artifact }: { artifact: Artifact }) {
  const [state, setState] = useState<State>({ kind: 'closed' });
  const id = `preview-${artifact.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const open = state.kind === 'shown' || state.kind === 'failed';
  const toggle = async (): Promise<void> => {
    if (open) return setState({ kind: 'closed' });
    if (!artifact.url) return setState({ kind: 'failed' });
    setState({ kind: 'loading' });
    try {
      const response = await fetch(artifact.url);
      if (!response.ok) throw new Error(String(response.status));
      setState({ kind: 'shown', ...previewText(artifact.name, await response.text()) });
    } catch {
      setState({ kind: 'failed' });
    }
  };
  return (
    <div class="preview">
      <button type="button" class="button link" aria-expanded={open} aria-controls={id} onClick={() => void toggle()}>
        {state.kind === 'loading' ? 'Loading…' : open ? `Hide ${artifact.name}` : `Show ${artifact.name}`}
      </button>
      <div id={id}>
        {state.kind === 'shown' && (
          <>
            <pre class="code" tabIndex={0} aria-label={`Contents of ${artifact.name}`}>
              {state.text}
            </pre>
            {state.omitted > 0 && <p class="small muted">…and {state.omitted} more lines: download the file to see them all.</p>}
          </>
        )}
        {state.kind === 'failed' && <p class="small field-error">Could not show the file here; download it instead.</p>}
      </div>
    </div>
  );
}
