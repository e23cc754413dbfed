import type { Artifact, Task } from '../api/api-types';
import { isTerminal } from '../api/api-types';
import { formatBytes, formatDateTime, formatRelative } from '../format/format';
import { isPreviewable } from '../tasks/artifact-preview';
import { artifactState } from '../tasks/artifact-state';
import { ArtifactPreview } from './artifact-preview';

interface Props {
  task: Task;
  now: number;
  /** Called for a link that has run out: fetch the task again and follow the fresh link. */
  onStale: (artifact: Artifact) => void;
}

function ArtifactItem({ task, artifact, now, onStale }: Props & { artifact: Artifact }) {
  const state = artifactState(task, artifact, now);
  const size = formatBytes(artifact.size);
  if (state === 'expired') {
    return (
      <li class="artifact artifact-expired">
        <span class="artifact-name">{artifact.name}</span> <span class="muted">({size})</span>
        <span class="block small">Expired: deleted after the retention period.</span>
      </li>
    );
  }
  const onClick = (event: MouseEvent): void => {
    if (state === 'stale') {
      event.preventDefault();
      onStale(artifact);
    }
  };
  return (
    <li class="artifact">
      <a href={artifact.url ?? '#'} download={artifact.name} onClick={onClick} rel="noopener">
        Download {artifact.name}
      </a>{' '}
      <span class="muted">({size})</span>
      {task.expiresAt && (
        <span class="block small muted">
          Kept until <time dateTime={task.expiresAt}>{formatDateTime(task.expiresAt)}</time> ({formatRelative(task.expiresAt, now)}), then deleted.
        </span>
      )}
      {state === 'available' && isPreviewable(artifact) && <ArtifactPreview artifact={artifact} />}
    </li>
  );
}

/** The task's output files with download links and when they run out. */
export function ArtifactList(props: Props) {
  const { task } = props;
  if (task.artifacts.length === 0) return <p class="muted">No files{isTerminal(task.status) ? '.' : ' yet.'}</p>;
  return (
    <ul class="artifacts">
      {task.artifacts.map((artifact) => (
        <ArtifactItem key={artifact.name} {...props} artifact={artifact} />
      ))}
    </ul>
  );
}
