import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from '../routing/route';

/** The route named by location.hash, following every change of it (links, back and forward). */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  location.hash = hash;
}
