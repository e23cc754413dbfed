import type { ComponentChildren } from 'preact';
import { useTitleFocus } from '../hooks/use-title-focus';

/**
 * A screen that only says something ("Page not found", "Admins only"): like every screen, it names the
 * document after itself and takes focus on its heading, so a keyboard or screen-reader user lands on it.
 */
export function MessagePage({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useTitleFocus(title);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}
