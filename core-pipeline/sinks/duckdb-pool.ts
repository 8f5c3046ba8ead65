/**
 * A tiny pool of read connections. One DuckDB connection runs one query at a time; a pool lets
 * two dashboard requests (or a request and a health check) run side by side without opening a
 * connection per request.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** A fixed set of connections handed out one task at a time, first come first served. */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiting: ((con: DuckDBConnection) => void)[] = [];
  private busy = 0;
  private drained: (() => void) | null = null;

  private constructor(private readonly all: DuckDBConnection[]) {
    this.idle = [...all];
  }

  /** Opens `size` (≥ 1) connections on the instance. */
  static async create(instance: DuckDBInstance, size: number): Promise<ConnectionPool> {
    const all: DuckDBConnection[] = [];
    for (let i = 0; i < Math.max(1, size); i++) all.push(await instance.connect());
    return new ConnectionPool(all);
  }

  /** Runs `task` with a connection of its own; the connection returns to the pool afterwards. */
  async use<T>(task: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    const con =
      this.idle.pop() ??
      (await new Promise<DuckDBConnection>((resolve) => this.waiting.push(resolve)));
    this.busy += 1;
    try {
      return await task(con);
    } finally {
      this.busy -= 1;
      const next = this.waiting.shift();
      if (next) next(con);
      else {
        this.idle.push(con);
        if (this.busy === 0) this.drained?.();
      }
    }
  }

  /** Waits for running tasks, then closes every connection. */
  async close(): Promise<void> {
    if (this.busy > 0 || this.waiting.length > 0) {
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    for (const con of this.all) con.closeSync();
  }
}
