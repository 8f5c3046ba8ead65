/**
 * Page lifecycle: `unload` is unreliable, so the tracker flushes by sendBeacon when the page is
 * hidden (visibilitychange) and ends the session on pagehide. pageshow with `persisted` means the
 * page came back from the back/forward cache.
 */
import type { PageLike } from '../config/ports.js';

/** What the tracker does on lifecycle changes. */
interface PageHandlers {
  hidden(): void;
  pagehide(): void;
  pageshow(persisted: boolean): void;
}

/** The browser's window/document, or null outside a browser. */
export function defaultPage(): PageLike | null {
  const g = globalThis as { window?: PageLike['window']; document?: PageLike['document'] };
  return g.window || g.document ? { window: g.window ?? null, document: g.document ?? null } : null;
}

/**
 * Subscribes to the lifecycle events; returns the function that removes every listener.
 * Handlers run inside `guard` so a failure never reaches the page.
 */
export function listenPage(
  page: PageLike | null,
  on: PageHandlers,
  guard: (fn: () => void) => void,
): () => void {
  if (!page) return () => {};
  const { window: win, document: doc } = page;
  const onVisibility = () =>
    guard(() => {
      if (doc && doc.visibilityState === 'hidden') on.hidden();
    });
  const onHide = () => guard(() => on.pagehide());
  const onShow = (ev: unknown) =>
    guard(() =>
      on.pageshow(typeof ev === 'object' && ev !== null && 'persisted' in ev && !!ev.persisted),
    );
  doc?.addEventListener('visibilitychange', onVisibility);
  win?.addEventListener('pagehide', onHide);
  win?.addEventListener('pageshow', onShow);
  return () => {
    doc?.removeEventListener('visibilitychange', onVisibility);
    win?.removeEventListener('pagehide', onHide);
    win?.removeEventListener('pageshow', onShow);
  };
}
