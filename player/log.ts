/**
 * Levelled logging. The SDK reports problems here instead of throwing; the sink is injectable so
 * a host can forward SDK logs to its own monitoring, and a throwing sink is swallowed.
 */

/** Log levels, quietest first. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Receives every log line at or above the configured level. */
export type LogSink = (level: Exclude<LogLevel, 'silent'>, message: string, data?: unknown) => void;

/** What the SDK's parts log through. */
export interface Logger {
  error(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Writes to the console with a `[beacon-edge]` prefix. */
const consoleSink: LogSink = (level, message, data) => {
  const c = globalThis.console;
  if (!c) return;
  const fn = c[level] ?? c.log;
  if (data === undefined) fn.call(c, `[beacon-edge] ${message}`);
  else fn.call(c, `[beacon-edge] ${message}`, data);
};

/**
 * Creates a logger that drops lines below `level` and never throws.
 * @example createLogger('warn').warn('queue full, dropped 3 heartbeats')
 */
export function createLogger(level: LogLevel = 'warn', sink: LogSink = consoleSink): Logger {
  const max = RANK[level] ?? RANK.warn;
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, data?: unknown): void => {
      if (RANK[lvl] > max) return;
      try {
        sink(lvl, message, data);
      } catch {
        // A broken sink must not break playback tracking, and there is nowhere left to report it.
      }
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
