import { useEffect, useMemo, useState } from 'preact/hooks';
import { parseRoute, type Route } from '../routing/route';

/** The route named by location.hash, following every change of it (links, back and forward). */
export function useHashRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    addEventListener('hashchange', onChange);
    // Preact runs effects after the next frame: a hash changed between the first render and now fired its
    // hashchange before anyone listened, so read it again (an unchanged string renders nothing new).
    onChange();
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

export function navigate(hash: string): void {
  location.hash = hash;
}
