import type { Shortfall } from '../api/api-types';
import { shortfallBadge, shortfallText } from '../tasks/shortfalls';

/** A warning beside "Succeeded" when the job left something out: the count in words ("32 of 148 rows rejected"). */
export function ShortfallBadge({ shortfalls }: { shortfalls: Shortfall[] }) {
  if (shortfalls.length === 0) return null;
  return (
    <span class="badge badge-partial" title={shortfalls.map(shortfallText).join('; ')} data-partial={shortfalls.length}>
      <span aria-hidden="true">⚠ </span>
      <span class="visually-hidden">Partly done: </span>
      {shortfallBadge(shortfalls)}
    </span>
  );
}

/** The task page's account of a partial success: every shortfall, and where the details are. */
export function ShortfallBanner({ shortfalls }: { shortfalls: Shortfall[] }) {
  if (shortfalls.length === 0) return null;
  return (
    <div class="banner banner-warning" role="status" data-partial={shortfalls.length}>
      <p class="banner-title">Done, but not all of it{shortfalls.length === 1 ? `: ${shortfallText(shortfalls[0])}.` : ':'}</p>
      {shortfalls.length > 1 && (
        <ul class="banner-list">
          {shortfalls.map((s) => (
            <li key={shortfallText(s)}>{shortfallText(s)}</li>
          ))}
        </ul>
      )}
      <p>The files and the log below say which ones and why.</p>
    </div>
  );
}
