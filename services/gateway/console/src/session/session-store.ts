/**
 * The API key lives in sessionStorage: it survives reloads of this tab but not closing it, and is not
 * shared with other tabs.
 */
const KEY = 'taskyard.apiKey';

export function loadKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY);
}
