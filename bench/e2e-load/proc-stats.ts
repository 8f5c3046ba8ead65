/**
 * CPU and memory of the stack process and of the whole machine, read from /proc (Linux): the
 * stack's peak memory is its VmHWM (all its threads: kinesalite's worker, DuckDB's), its CPU is
 * utime + stime of the whole process, and the machine's busy time shows how much other work ran.
 *
 * BENCH_ALL_THREADS=1 lists every thread's CPU instead of the busiest few.
 */
import fs from 'node:fs';

/** utime + stime (s) and VmHWM / VmRSS (bytes) of a process, from /proc. */
export function procStats(pid: number): { cpuSeconds: number; hwm: number; rss: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { cpuSeconds: ticks / 100, hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat (all cores). */
export function machineCpu(): { busy: number; total: number } {
  const f = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** CPU seconds (user + system) of the busiest threads of a process: where the stack spends its cores. */
export function threadCpu(pid: number): string {
  const out: { tid: string; user: number; sys: number }[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ tid, user: Number(f[11]) / 100, sys: Number(f[12]) / 100 });
    } catch {
      // the thread ended
    }
  }
  const main = String(pid);
  return out
    .sort((a, b) =>
      process.env.BENCH_ALL_THREADS
        ? Number(a.tid) - Number(b.tid)
        : b.user + b.sys - (a.user + a.sys),
    )
    .slice(0, process.env.BENCH_ALL_THREADS ? 100 : 6)
    .map((t) => `${t.tid === main ? 'main' : t.tid} ${t.user.toFixed(1)}u+${t.sys.toFixed(1)}s`)
    .join(', ');
}
