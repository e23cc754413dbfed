import type { ApiError } from '../api/api-error';
import { errorMessage } from '../api/error-messages';

interface Props {
  error: ApiError;
  /** Lines that say more, e.g. schema errors that belong to no single field. */
  extra?: string[];
  onRetry?: () => void;
  /** Leave out the server's own words, when the page shows them beside the field they concern. */
  hideDetail?: boolean;
}

/** An API error as a person should read it: what happened, what to do, and the server's own words. */
export function ErrorBanner({ error, extra = [], onRetry, hideDetail = false }: Props) {
  const message = errorMessage(error);
  return (
    <div class="banner banner-error" role="alert" data-error-code={error.code}>
      <p class="banner-title">{message.title}</p>
      <p>{message.hint}</p>
      {message.detail && !hideDetail && <p class="banner-detail">Server said: {message.detail}</p>}
      {extra.length > 0 && (
        <ul class="banner-list">
          {extra.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" class="button secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
