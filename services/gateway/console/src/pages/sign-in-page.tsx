import { useState } from 'preact/hooks';
import { ApiClient } from '../api/api-client';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { Me } from '../api/api-types';
import { ErrorBanner } from '../components/error-banner';
import { useTitleFocus } from '../hooks/use-title-focus';

interface Props {
  onSignedIn: (key: string, me: Me) => void;
  /** Why the previous session ended, e.g. the key was refused. */
  notice?: string;
}

/** Asks for an API key and checks it with GET /v1/me before keeping it. */
export function SignInPage({ onSignedIn, notice }: Props) {
  const heading = useTitleFocus('Sign in');
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = key.trim();
    setMissing(!trimmed);
    if (!trimmed) return;
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(trimmed, await new ApiClient(trimmed).me());
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1 ref={heading} tabIndex={-1}>
        Sign in to Taskyard
      </h1>
      <p class="muted">Background reports and imports for your school. Sign in with the API key you were given.</p>
      {notice && (
        <p class="banner banner-info" role="status">
          {notice}
        </p>
      )}
      {error && <ErrorBanner error={error} />}
      <form onSubmit={submit} noValidate class="card">
        <div class={`field${missing ? ' field-invalid' : ''}`}>
          <label for="api-key">API key</label>
          {missing && (
            <p class="field-error" id="api-key-error">
              Enter your API key.
            </p>
          )}
          <input
            id="api-key"
            name="api-key"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? 'api-key-error' : undefined}
            value={key}
            onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="muted small">
        The key is kept only in this browser tab until you sign out or close it. <a href="/docs">API documentation</a>
      </p>
    </main>
  );
}
