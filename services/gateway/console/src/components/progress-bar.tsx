interface Props {
  /** 0–100. */
  value: number;
  label: string;
}

export function ProgressBar({ value, label }: Props) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={clamped}>
      <div class="progress-fill" style={{ width: `${clamped}%` }} />
      <span class="progress-text">{clamped}%</span>
    </div>
  );
}
