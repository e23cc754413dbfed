import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/api-client';
import type { JobType, Me } from './api/api-types';

/** What every signed-in screen needs: the API with the key, who is signed in, the job types. */
export interface Session {
  client: ApiClient;
  me: Me;
  jobTypes: JobType[];
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
