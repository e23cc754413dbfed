import type { TaskStatus } from '../api/api-types';
import { STATUS_LABELS } from '../tasks/status-text';

/** The status in words and colour (the words carry the meaning; the colour only helps). */
export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}
