/**
 * A pool of simulated viewers, each playing scripted sessions back to back. Both the interactive
 * simulation and the load generator draw events from it, so load tests carry realistic traffic
 * (many sessions, POPs, countries, networks) rather than one repeated payload.
 */
import type { BeaconEvent } from '../../schemas/index.js';
import {
  drawViewer,
  servedBy,
  viewerHeaders,
  type ViewerPlace,
  type ViewerProfile,
} from './geography.js';
import type { Rng } from './random.js';
import { scriptSession, stampEvent, type SessionScript } from './session.js';

/** One simulated viewer and the session it is in. */
export interface Viewer {
  profile: ViewerProfile;
  /** Request headers that place this viewer (POP, geo, device). */
  headers: Record<string, string>;
  script: SessionScript;
  /** Index of the next event of `script` to send. */
  cursor: number;
  /** True when behind the troubled POP. */
  bad: boolean;
}

/** Options of {@link createViewerPool}. */
export interface PoolOptions {
  rng: Rng;
  /** Viewers playing at once. */
  size: number;
  /** IATA code of a POP whose viewers get bad quality (slow starts, stalls). */
  badPop?: string;
  places?: readonly ViewerPlace[];
}

/** Viewers playing at once, with their sessions. */
export interface ViewerPool {
  viewers: Viewer[];
  /** Takes up to `max` next events of `viewer`'s session, stamped with `ts`; starts a new session when one ends. */
  take(viewer: Viewer, max: number, ts: number): { script: SessionScript; events: BeaconEvent[] };
  /** Sessions started so far. */
  sessionsStarted(): number;
}

/** Creates `size` viewers, each with a first session. */
export function createViewerPool(opts: PoolOptions): ViewerPool {
  let sessions = 0;
  const newViewer = (): Viewer => {
    const profile = drawViewer(opts.rng, opts.places);
    const bad = servedBy(profile, opts.badPop);
    sessions += 1;
    return {
      profile,
      headers: viewerHeaders(profile, opts.rng),
      script: scriptSession(opts.rng, { bad }),
      cursor: 0,
      bad,
    };
  };
  const viewers = Array.from({ length: opts.size }, newViewer);
  return {
    viewers,
    take(viewer, max, ts) {
      if (viewer.cursor >= viewer.script.events.length) {
        // The previous session ended: the same seat gets a new viewer, as audiences churn.
        Object.assign(viewer, newViewer());
      }
      const script = viewer.script;
      const end = Math.min(script.events.length, viewer.cursor + max);
      const events: BeaconEvent[] = [];
      for (let i = viewer.cursor; i < end; i++) events.push(stampEvent(script, i, ts));
      viewer.cursor = end;
      return { script, events };
    },
    sessionsStarted: () => sessions,
  };
}
