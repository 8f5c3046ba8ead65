/**
 * The browser interfaces the SDK is given rather than reaching for globals, so a host (or a test)
 * can swap any of them: storage, lifecycle event sources, `fetch` and `sendBeacon`. Each is the
 * smallest subset the SDK calls; the browser's own objects satisfy them. The clock and timers
 * live with the code that defines their semantics (`core/clock.ts`).
 */

/** The Web Storage subset the persistent queue needs (localStorage satisfies it). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/**
 * Something with add/removeEventListener (window, document, a video element, a fake). Listeners
 * get the event as `unknown` and check what they read of it.
 */
export interface EventTargetLike {
  addEventListener(type: string, listener: (ev: unknown) => void, options?: unknown): void;
  removeEventListener(type: string, listener: (ev: unknown) => void, options?: unknown): void;
}

/** Page lifecycle sources: `window` (pagehide, pageshow) and `document` (visibilitychange). */
export interface PageLike {
  window?: EventTargetLike | null;
  document?: (EventTargetLike & { visibilityState?: string }) | null;
}

/** `fetch` as the SDK calls it. */
export type FetchLike = (
  url: string,
  init: RequestInit,
) => Promise<Pick<Response, 'status' | 'headers' | 'text'>>;

/** `navigator.sendBeacon` as the SDK calls it. */
export type SendBeaconLike = (url: string, data: Blob | string) => boolean;
