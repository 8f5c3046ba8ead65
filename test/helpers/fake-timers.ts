/** Helpers for code driven by vitest's fake timers. */
import { vi } from 'vitest';

/**
 * Runs `p` to completion under fake timers (every pending timer fires); returns the error it
 * rejected with, or undefined when it resolved.
 */
export async function settle(p: Promise<void>): Promise<unknown> {
  const caught = p.then(
    () => undefined,
    (err: unknown) => err,
  );
  await vi.runAllTimersAsync();
  return caught;
}
