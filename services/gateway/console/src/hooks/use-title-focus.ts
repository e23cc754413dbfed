import { useEffect, useRef } from 'preact/hooks';

/**
 * Sets the document title and moves focus to the page's heading when a screen opens, so keyboard and
 * screen-reader users land at the start of the new content after a hash navigation.
 */
export function useTitleFocus(title: string) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Taskyard`;
  }, [title]);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return ref;
}
