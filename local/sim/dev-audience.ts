/**
 * The small audience `beacons dev` plays by default, so a new user's dashboard is live at once:
 * a few dozen healthy viewers for the lifetime of the stack, stopped before the stack stops.
 */
import { runSimulation, type SimulationSummary } from './simulation.js';

/** A running default audience. */
export interface DevAudience {
  /** Stops the viewers and waits for their last batches. */
  stop(): Promise<void>;
}

/** The loopback URL the simulator can reach a stack on, or undefined when it listens elsewhere only. */
export function loopbackTarget(host: string, port: number): string | undefined {
  if (host === '::1' || host === '[::1]') return `http://[::1]:${port}`;
  if (host === 'localhost' || host === '0.0.0.0' || host === '::' || /^127\./.test(host))
    return `http://${/^127\./.test(host) ? host : '127.0.0.1'}:${port}`;
  return undefined;
}

/**
 * Starts `viewers` viewers against the stack at host:port; undefined (after saying why) when the
 * stack does not listen on loopback, the only place the simulator sends to.
 */
export function startDevAudience(opts: {
  host: string;
  port: number;
  viewers: number;
  log: (line: string) => void;
}): DevAudience | undefined {
  const url = loopbackTarget(opts.host, opts.port);
  if (!url) {
    opts.log(`  (no simulated audience: the stack does not listen on loopback)`);
    return undefined;
  }
  const abort = new AbortController();
  const run: Promise<SimulationSummary | undefined> = runSimulation({
    url,
    viewers: opts.viewers,
    durationSeconds: Number.POSITIVE_INFINITY,
    signal: abort.signal,
    // Short resend bounds: stopping the stack must not wait on a viewer's backoff.
    resend: {
      backoff: { baseMs: 250, maxMs: 2_000 },
      maxRetries: 3,
      budgetMs: 5_000,
      requestTimeoutMs: 5_000,
    },
  }).catch((err: unknown) => {
    opts.log(`  simulated audience stopped: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  return {
    async stop() {
      abort.abort();
      await run;
    },
  };
}
