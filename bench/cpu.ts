/**
 * CPU time of this process (every thread: the pollers, fauxqs, the bridge, the function workers)
 * and of its child processes named `java` (DynamoDB Local), to tell where a phase's cycles went.
 * The children are read from /proc: on other systems their figure is NaN.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSample {
  readonly atMs: number;
  /** This Node process, all threads. */
  readonly nodeMs: number;
  /** The main thread's (fauxqs, the pollers, the HTTP bridge, the host, the bench): its own CPU time from /proc. */
  readonly mainMs: number;
  /** DynamoDB Local (our `java` children). */
  readonly javaMs: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime, in ms, from a /proc stat line. */
function statMs(stat: string): { name: string; parent: number; ms: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(open + 1, close), parent: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks() };
}

/** utime + stime of our direct children called `java`, in ms. */
function javaChildrenMs(): number {
  let ms = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return Number.NaN;
  }
  for (const pid of entries) {
    try {
      const stat = statMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat.name === 'java' && stat.parent === process.pid) ms += stat.ms;
    } catch {
      // gone meanwhile
    }
  }
  return ms;
}

/** The main thread's own CPU time (its thread id is the process id). */
function mainThreadMs(): number {
  try {
    return statMs(readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8')).ms;
  } catch {
    return Number.NaN;
  }
}

export function cpuNow(): CpuSample {
  const { user, system } = process.cpuUsage();
  return { atMs: performance.now(), nodeMs: (user + system) / 1000, mainMs: mainThreadMs(), javaMs: javaChildrenMs() };
}

export interface CpuUse {
  /** CPU ms per order, in all, and its parts. */
  readonly perOrderMs: number;
  readonly nodePerOrderMs: number;
  /** Of the Node process's: its main thread's, and so the worker threads' (the functions) the rest. */
  readonly mainPerOrderMs: number;
  readonly javaPerOrderMs: number;
  /** Cores kept busy on average over the phase. */
  readonly cores: number;
  /** Share of the time the main thread was busy (1: saturated, the limit of one thread). */
  readonly mainBusy: number;
}

/** CPU per order over one or more stretches of a run, each with the orders it completed. */
export function cpuUse(stretches: readonly { readonly before: CpuSample; readonly after: CpuSample; readonly orders: number }[]): CpuUse {
  const sum = (f: (s: (typeof stretches)[number]) => number) => stretches.reduce((total, s) => total + f(s), 0);
  const node = sum((s) => s.after.nodeMs - s.before.nodeMs);
  const java = sum((s) => s.after.javaMs - s.before.javaMs);
  const main = sum((s) => s.after.mainMs - s.before.mainMs);
  const wall = sum((s) => s.after.atMs - s.before.atMs);
  const orders = Math.max(1, sum((s) => s.orders));
  return { perOrderMs: (node + java) / orders, nodePerOrderMs: node / orders, mainPerOrderMs: main / orders, javaPerOrderMs: java / orders, cores: (node + java) / wall, mainBusy: main / wall };
}
