/**
 * Limits of the CMCD ingest path that are protocol constants, not deployment choices (the body
 * size and the number of lines per body are EdgeConfig's `maxBodyBytes` and `maxEvents`, shared
 * with the JSON path).
 */

/**
 * Longest report line, in UTF-16 units. A real line is a few hundred characters; the longest
 * the schema allows in practice (a 2 KB `url` or CMSD header) fits several times over. A longer
 * line is refused on its own (`line_too_long`) before the structured-field parser sees it.
 */
export const MAX_CMCD_LINE_CHARS = 8192;

/**
 * Session ids the edge groups, decides the rollout for and writes: 1 to 64 printable ASCII
 * characters without spaces. The schema states the same pattern (a test checks they agree).
 */
export const CMCD_SID_PATTERN = /^[!-~]{1,64}$/;
