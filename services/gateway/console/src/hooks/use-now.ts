import { useEffect, useState } from 'preact/hooks';

/** The current time, refreshed every `everyMs`, so relative times ("in 23 h") stay true while a page is open. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
