import { useState } from 'preact/hooks';
import type { ApiError } from '../api/api-error';
import { asApiError } from '../api/api-error';
import type { ApiKeyInfo, NewApiKey, Role } from '../api/api-types';
import { useSession } from '../app-context';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { formatDateTime } from '../format/format';
import { tagList } from '../forms/tag-list';
import { useAsync } from '../hooks/use-async';
import { useTitleFocus } from '../hooks/use-title-focus';

/** The key just created: shown this once, to copy. */
function CreatedKey({ created, onDone }: { created: { key: string; apiKey: ApiKeyInfo }; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    await navigator.clipboard?.writeText(created.key).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div class="banner banner-success" role="status">
      <p class="banner-title">
        Key created for {created.apiKey.principal} ({created.apiKey.role})
      </p>
      <p>Copy it now: it is shown only this once. Only its fingerprint is kept on the server.</p>
      <p>
        <code class="mono secret" aria-label="The new API key">
          {created.key}
        </code>
      </p>
      <div class="actions">
        <button type="button" class="button secondary" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy key'}
        </button>
        <button type="button" class="button link" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: { key: string; apiKey: ApiKeyInfo }) => void }) {
  const { client } = useSession();
  const [principal, setPrincipal] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [tags, setTags] = useState('');
  const [rate, setRate] = useState('');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [problem, setProblem] = useState<string>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    const perMinute = rate.trim() === '' ? undefined : Number(rate);
    if (!principal.trim()) return setProblem('Enter who the key acts for.');
    if (perMinute !== undefined && !(Number.isInteger(perMinute) && perMinute >= 1)) return setProblem('Submissions per minute must be a whole number of at least 1, or empty for no cap.');
    setProblem(undefined);
    const body: NewApiKey = { principal: principal.trim(), role };
    const tagNames = tagList(tags);
    if (tagNames.length) body.tags = tagNames;
    if (perMinute !== undefined) body.submitsPerMinute = perMinute;
    if (label.trim()) body.label = label.trim();
    setBusy(true);
    try {
      onCreated(await client.createApiKey(body));
      setPrincipal('');
      setTags('');
      setRate('');
      setLabel('');
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const text = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value);
  return (
    <form class="card key-form" onSubmit={submit} noValidate aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">New key</h2>
      {error && <ErrorBanner error={error} />}
      <div class="field">
        <label for="key-principal">Acts for</label>
        <p class="hint" id="key-principal-hint">
          The principal: tasks submitted with the key are theirs.
        </p>
        <input
          id="key-principal"
          type="text"
          maxLength={128}
          value={principal}
          onInput={text(setPrincipal)}
          aria-describedby={problem ? 'key-principal-hint key-problem' : 'key-principal-hint'}
          aria-invalid={problem && !principal.trim() ? true : undefined}
          autoComplete="off"
        />
      </div>
      <div class="field">
        <label for="key-role">Role</label>
        <select id="key-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
          <option value="user">User: their own tasks</option>
          <option value="admin">Admin: everyone's tasks, queues and keys</option>
        </select>
      </div>
      <div class="field">
        <label for="key-tags">
          Tags<span class="optional-mark"> (optional)</span>
        </label>
        <p class="hint" id="key-tags-hint">
          Comma-separated. The key then submits and sees tasks of these tags only (e.g. one school).
        </p>
        <input id="key-tags" type="text" value={tags} onInput={text(setTags)} aria-describedby="key-tags-hint" autoComplete="off" />
      </div>
      <div class="field">
        <label for="key-rate">
          Submissions per minute<span class="optional-mark"> (optional)</span>
        </label>
        <p class="hint" id="key-rate-hint">
          More are refused until the minute is over. Empty: no cap.
        </p>
        <input id="key-rate" type="number" min={1} step={1} inputMode="numeric" value={rate} onInput={text(setRate)} aria-describedby="key-rate-hint" />
      </div>
      <div class="field">
        <label for="key-label">
          Note<span class="optional-mark"> (optional)</span>
        </label>
        <input id="key-label" type="text" maxLength={200} value={label} onInput={text(setLabel)} autoComplete="off" />
      </div>
      {problem && (
        <p class="field-error" id="key-problem" role="alert">
          {problem}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

function RevokeControl({ info, onRevoked }: { info: ApiKeyInfo; onRevoked: () => void }) {
  const { client } = useSession();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const revoke = async (): Promise<void> => {
    setBusy(true);
    try {
      await client.revokeApiKey(info.id);
      onRevoked();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <button type="button" class="button danger-outline" onClick={() => setAsking(true)} aria-label={`Revoke ${info.prefix}… of ${info.principal}`}>
        Revoke
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={`Confirm revoking ${info.prefix}…`}>
      {error && <ErrorBanner error={error} />}
      <span>Revoke? Requests with it are refused from now on.</span>
      <button type="button" class="button danger" disabled={busy} onClick={() => void revoke()} autoFocus>
        {busy ? 'Revoking…' : 'Yes, revoke it'}
      </button>
      <button type="button" class="button secondary" disabled={busy} onClick={() => setAsking(false)}>
        Keep it
      </button>
    </div>
  );
}

function KeyTable({ keys, onRevoked }: { keys: ApiKeyInfo[]; onRevoked: () => void }) {
  return (
    <table class="table keys-table">
      <caption class="visually-hidden">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Acts for</th>
          <th scope="col">Role</th>
          <th scope="col">Tags</th>
          <th scope="col" class="num">Per minute</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span class="visually-hidden">Revoke</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.id}>
            <td data-label="Key">
              <span class="mono">{k.prefix}…</span>
              {k.label && <span class="muted small"> {k.label}</span>}
            </td>
            <th scope="row" data-label="Acts for">
              {k.principal}
            </th>
            <td data-label="Role">{k.role}</td>
            <td data-label="Tags">{k.tags?.join(', ') ?? 'all'}</td>
            <td data-label="Per minute" class="num">
              {k.submitsPerMinute ?? 'no cap'}
            </td>
            <td data-label="Created">
              {formatDateTime(k.createdAt)} <span class="muted small">by {k.createdBy}</span>
            </td>
            <td data-label="Last used">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</td>
            <td data-label="Revoke">
              <RevokeControl info={k} onRevoked={onRevoked} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Admin: the API keys kept by the server (create, list with last use, revoke); configured keys are not shown. */
export function ApiKeysPage() {
  const { client } = useSession();
  const heading = useTitleFocus('API keys');
  const keys = useAsync(() => client.apiKeys(), [client]);
  const [created, setCreated] = useState<{ key: string; apiKey: ApiKeyInfo }>();
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        API keys
      </h1>
      <p class="muted">Keys created here work at once, on every server. The keys from the server's configuration are not listed.</p>
      {created && <CreatedKey created={created} onDone={() => setCreated(undefined)} />}
      <CreateKeyForm
        onCreated={(c) => {
          setCreated(c);
          keys.reload();
        }}
      />
      <h2>Keys</h2>
      {keys.error && <ErrorBanner error={keys.error} onRetry={keys.reload} />}
      {!keys.data && !keys.error && <Loading what="API keys" />}
      {keys.data && keys.data.length === 0 && <p class="empty">No keys created yet.</p>}
      {keys.data && keys.data.length > 0 && <KeyTable keys={keys.data} onRevoked={keys.reload} />}
    </>
  );
}
