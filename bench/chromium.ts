/**
 * How beacon-edge runs a real browser, shared by the sdk-cost benchmark and the browser tests:
 * Debian's Chromium (never a downloaded build), headless, with nothing that talks to the network
 * on its own (this machine has no network beyond loopback and the package registries).
 */

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Headless in a container, and no background requests of Chromium's own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
