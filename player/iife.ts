/**
 * Entry of the single-file IIFE build (`dist/player/beacon-edge.iife.js`), exposing
 * `window.BeaconEdge` for pages without a bundler: the core plus every adapter.
 *
 * @example
 * <script src="/beacon-edge.iife.js"></script>
 * <script>BeaconEdge.hlsjs(hls, { contentId: 'bbb' })</script>
 */
export * from './index.js';
export { html5, html5Adapter } from './adapters/html5.js';
export { hlsjs, hlsjsAdapter } from './adapters/hlsjs.js';
export { dashjs, dashjsAdapter } from './adapters/dashjs.js';
