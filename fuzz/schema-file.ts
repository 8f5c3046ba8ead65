/**
 * Reads a beacon JSON Schema file at run time (never imported, so what the generators walk is the
 * file the validators are built from). Resolved from this module's URL: the fuzz bundle sits one
 * folder below the repository root (dist/fuzz.mjs), like this file.
 */
import { readFileSync } from 'node:fs';
import { CURRENT_SCHEMA_VERSION } from '../schemas/versions.js';
import { SchemaArbitraries } from './schema-arbitrary.js';

/** The arbitraries of `schemas/beacon/<version>.json` (default: the current version). */
export function beaconArbitraries(version: string = CURRENT_SCHEMA_VERSION): SchemaArbitraries {
  const url = new URL(`../schemas/beacon/${version}.json`, import.meta.url);
  return new SchemaArbitraries(JSON.parse(readFileSync(url, 'utf8')));
}
