/**
 * The beacon schema's versions (SchemaVer: MODEL-REVISION-ADDITION). Each names a file
 * `schemas/beacon/<version>.json`, the source of truth for validation.
 */

/** Every SchemaVer (MODEL-REVISION-ADDITION) of the beacon batch schema that the edge accepts. */
export const SCHEMA_VERSIONS = ['1-0-0'] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];
/** The version new clients should send. */
export const CURRENT_SCHEMA_VERSION: SchemaVersion = '1-0-0';
