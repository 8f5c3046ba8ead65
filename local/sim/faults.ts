/**
 * Faults for `beacons simulate --fault`: a slice of the audience (`pop=MAD50-C2`, `asn=3320`,
 * `country=BR`, `region=eu-central-1`, `device=mobile`, `content=sintel`, `player=dash.js`) and
 * what goes wrong for its sessions (`stall-rate=5x`, `failure=10%`, `startup=+2s`, …). Parsed
 * strictly: a mistake is a usage error that says what was expected, never a silent no-op.
 */
import { POP_REGIONS } from '../cloudfront/pops.js';
import { UsageError } from '../errors.js';

/** Slice kinds a fault can name (the rollup dimension each stands for in brackets). */
export const FAULT_DIMENSIONS = [
  'pop',
  'country',
  'asn',
  'region', // serving_region
  'device',
  'content', // content_id
  'player', // player_name
] as const;
/** One of FAULT_DIMENSIONS. */
export type FaultDimension = (typeof FAULT_DIMENSIONS)[number];

/** What a fault does to a session; factors multiply, additions add, probabilities replace. */
export interface SessionEffects {
  /** × the chance of a stall in each 10 s of playback. */
  stallRate: number;
  /** × each stall's duration. */
  stallTime: number;
  /** Probability that playback never starts (fatal error before the first frame). */
  startFailure?: number;
  /** Probability that playback fails (fatal error) after it started. */
  playbackFailure?: number;
  /** Probability that the viewer leaves before the first frame. */
  exit?: number;
  startupAddMs: number;
  startupFactor: number;
  /** × every rendition's bitrate. */
  bitrateFactor: number;
  seekAddMs: number;
  seekFactor: number;
}

/** No fault. */
export const NO_EFFECTS: Readonly<SessionEffects> = Object.freeze({
  stallRate: 1,
  stallTime: 1,
  startupAddMs: 0,
  startupFactor: 1,
  bitrateFactor: 1,
  seekAddMs: 0,
  seekFactor: 1,
});

/** One parsed `--fault`. */
export interface Fault {
  /** The flag's text as given. */
  spec: string;
  dimension: FaultDimension;
  /** The slice value as the store holds it (a POP's IATA code, country upper case). */
  value: string;
  /** For `pop=`: the POP code as given (`MAD50-C2`), which viewers added for the fault use. */
  code?: string;
  effects: Partial<SessionEffects>;
}

/** The metrics a fault can change, for the usage text. */
const FAULT_METRICS =
  'stall-rate=Nx, stall-time=Nx, failure=P%, playback-failure=P%, exit=P%, startup=+Ns|+Nms|Nx, bitrate=Nx, seek=+Nms|+Ns|Nx';

const SERVING_REGIONS = new Set(POP_REGIONS.values());
const DEVICES = new Set(['desktop', 'mobile', 'tablet', 'smarttv']);
const VALUE: Record<FaultDimension, { re: RegExp; hint: string }> = {
  pop: {
    re: /^[A-Za-z]{3}(\d{1,3}(-[A-Za-z]\d{1,2})?)?$/,
    hint: 'a POP code such as MAD50-C2 or MAD',
  },
  country: { re: /^[A-Za-z]{2}$/, hint: 'a two-letter country code such as BR' },
  asn: { re: /^\d{1,10}$/, hint: 'an AS number such as 3320' },
  region: { re: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, hint: 'an AWS region such as eu-central-1' },
  device: { re: /^[a-z]+$/, hint: 'desktop, mobile, tablet or smarttv' },
  content: { re: /^[A-Za-z0-9._-]{1,64}$/, hint: 'a content id such as sintel' },
  player: { re: /^[A-Za-z0-9._-]{1,64}$/, hint: 'a player name such as hls.js' },
};

/**
 * Parses one `--fault` value: `<slice>=<value>:<metric>=<amount>[:<metric>=<amount>…]`.
 * @throws UsageError naming what is wrong.
 * @example parseFault('pop=MAD50-C2:stall-rate=5x')
 */
export function parseFault(spec: string): Fault {
  const fail = (why: string): never => {
    throw new UsageError(
      `--fault "${spec}": ${why}\n  form: <slice>=<value>:<metric>=<amount>, slices ${FAULT_DIMENSIONS.join(', ')}; metrics ${FAULT_METRICS}`,
    );
  };
  const [selector, ...changes] = spec.trim().split(':');
  const eq = selector.indexOf('=');
  if (eq < 0) fail('expected <slice>=<value> first, e.g. pop=MAD50-C2');
  const dim = selector.slice(0, eq).trim().toLowerCase() as FaultDimension;
  const raw = selector.slice(eq + 1).trim();
  if (!FAULT_DIMENSIONS.includes(dim)) fail(`unknown slice "${selector.slice(0, eq)}"`);
  if (!VALUE[dim].re.test(raw)) fail(`${dim} must be ${VALUE[dim].hint}, got "${raw}"`);
  // The edge stores a POP as its IATA code: MAD50-C2 and MAD51-C1 are both the slice pop=MAD.
  const value =
    dim === 'pop' ? raw.slice(0, 3).toUpperCase() : dim === 'country' ? raw.toUpperCase() : raw;
  if (dim === 'region' && !SERVING_REGIONS.has(value))
    fail(
      `no POP of the local edge serves from ${value}; regions: ${[...SERVING_REGIONS].join(', ')}`,
    );
  if (dim === 'device' && !DEVICES.has(value)) fail(`device must be ${VALUE.device.hint}`);
  if (changes.length === 0) fail('expected at least one :<metric>=<amount>, e.g. :stall-rate=5x');
  const effects: Partial<SessionEffects> = {};
  for (const change of changes) {
    const ceq = change.indexOf('=');
    if (ceq < 0) fail(`expected <metric>=<amount>, got "${change}"`);
    const metric = change.slice(0, ceq).trim().toLowerCase();
    const amount = change.slice(ceq + 1).trim();
    const set = (k: keyof SessionEffects, v: number) => {
      if (effects[k] !== undefined) fail(`${metric} is given twice`);
      effects[k] = v;
    };
    switch (metric) {
      case 'stall-rate':
        set('stallRate', factor(amount, metric, 0, 50, fail));
        break;
      case 'stall-time':
        set('stallTime', factor(amount, metric, 0, 50, fail));
        break;
      case 'bitrate':
        set('bitrateFactor', factor(amount, metric, 0, 10, fail));
        break;
      case 'failure':
        set('startFailure', percent(amount, metric, fail));
        break;
      case 'playback-failure':
        set('playbackFailure', percent(amount, metric, fail));
        break;
      case 'exit':
        set('exit', percent(amount, metric, fail));
        break;
      case 'startup':
      case 'seek': {
        const [add, mul] =
          metric === 'startup'
            ? (['startupAddMs', 'startupFactor'] as const)
            : (['seekAddMs', 'seekFactor'] as const);
        if (amount.startsWith('+')) set(add, duration(amount.slice(1), metric, fail));
        else set(mul, factor(amount, metric, 0, 50, fail));
        break;
      }
      default:
        fail(`unknown metric "${metric}"`);
    }
  }
  if (dim === 'pop') {
    const code = raw.toUpperCase();
    return { spec, dimension: dim, value, code: code.length > 3 ? code : `${code}50-C1`, effects };
  }
  return { spec, dimension: dim, value, effects };
}

/** `5x` → 5, within (min, max]. */
function factor(
  s: string,
  metric: string,
  min: number,
  max: number,
  fail: (w: string) => never,
): number {
  const m = /^(\d+(?:\.\d+)?)x$/i.exec(s);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n > min && n <= max))
    fail(
      `${metric} must be a factor such as 5x or 0.5x (above ${min}, at most ${max}x), got "${s}"`,
    );
  return n;
}

/** `10%` → 0.1. */
function percent(s: string, metric: string, fail: (w: string) => never): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 0 && n <= 100))
    fail(`${metric} must be a percentage such as 10% (0..100), got "${s}"`);
  return n / 100;
}

/** `2s` / `500ms` → ms, at most a minute. */
function duration(s: string, metric: string, fail: (w: string) => never): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(s);
  const n = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : Number.NaN;
  if (!(n >= 0 && n <= 60_000))
    fail(`${metric} must be +Ns or +Nms (at most +60s), or a factor such as 2x, got "+${s}"`);
  return Math.round(n);
}

/** A session's slice as far as faults can name it (values as stored). */
export type FaultSlice = Record<FaultDimension, string>;

/** The combined effects of the faults whose slice contains this session. */
export function effectsFor(faults: readonly Fault[], slice: FaultSlice): SessionEffects {
  const out: SessionEffects = { ...NO_EFFECTS };
  for (const f of faults) {
    if (slice[f.dimension] !== f.value) continue;
    const e = f.effects;
    out.stallRate *= e.stallRate ?? 1;
    out.stallTime *= e.stallTime ?? 1;
    out.startupFactor *= e.startupFactor ?? 1;
    out.bitrateFactor *= e.bitrateFactor ?? 1;
    out.seekFactor *= e.seekFactor ?? 1;
    out.startupAddMs += e.startupAddMs ?? 0;
    out.seekAddMs += e.seekAddMs ?? 0;
    for (const k of ['startFailure', 'playbackFailure', 'exit'] as const)
      if (e[k] !== undefined) out[k] = Math.max(out[k] ?? 0, e[k]);
  }
  return out;
}
