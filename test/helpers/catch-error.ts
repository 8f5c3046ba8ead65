/** Catching a synchronous throw, for tests that check the error's class and its fields. */

/**
 * What `fn` throws; fails the test when it returns instead.
 * @example expect((catchError(() => parseBadRow('[]')) as UnreadableRecordError).field).toBe('')
 */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
