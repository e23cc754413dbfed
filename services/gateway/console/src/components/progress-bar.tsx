interface Props {
  /** 0–100. */
  value: number;
  label: string;
}

/** A bar with its percentage beside it (not on it, so the number keeps its contrast at any fill). */
export function ProgressBar({ value, label }: Props) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class="progress-wrap">
      <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={clamped}>
        <div class="progress-fill" style={{ width: `${clamped}%` }} />
      </div>
      <span class="progress-text" aria-hidden="true">
        {clamped}%
      </span>
    </div>
  );
}
