/** Load shapes shared by the system and its floor: one at a time, and a closed loop of N in flight. */
import { summarize, type LatencySummary } from './stats';

/** Runs one order; resolves to its latency in ms. */
export type RunOrder = (lane: number, sequence: number) => Promise<number>;

export interface SequentialResult {
  readonly latency: LatencySummary;
  readonly latencies: readonly number[];
  readonly failures: number;
  /** The first few failures' messages. */
  readonly errors: readonly string[];
}

const MAX_ERRORS = 5;
function keep(errors: string[], error: unknown): void {
  if (errors.length < MAX_ERRORS) errors.push(error instanceof Error ? error.message : String(error));
}

/** `count` orders one after the other, stopping early at `deadlineMs` (wall clock from now). */
export async function oneAtATime(run: RunOrder, count: number, deadlineMs: number): Promise<SequentialResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let failures = 0;
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < count && Date.now() < deadline; i += 1) {
    try {
      latencies.push(await run(0, i));
    } catch (error) {
      failures += 1;
      keep(errors, error);
    }
  }
  return { latency: summarize(latencies), latencies, failures, errors };
}

export interface ClosedLoopOptions {
  /** Orders in flight. */
  readonly concurrency: number;
  /** Not counted: the pipeline fills up. */
  readonly rampMs: number;
  /** The measured window, after the ramp. */
  readonly windowMs: number;
  /** After the window, how long in-flight orders may take to finish before they are abandoned. */
  readonly drainMs: number;
}

export interface ClosedLoopResult {
  /** Orders completed within the window, per second of the window. */
  readonly perSecond: number;
  /** The window, in performance.now() time. */
  readonly window: { readonly start: number; readonly end: number };
  readonly completedInWindow: number;
  readonly windowMs: number;
  /** Latencies of the orders that completed within the window. */
  readonly latency: LatencySummary;
  readonly latencies: readonly number[];
  readonly failures: number;
  readonly errors: readonly string[];
  readonly started: number;
}

/**
 * `concurrency` lanes, each placing its next order as soon as the last one reached its final
 * status, until the window closes. Throughput counts completions inside the window only.
 */
export async function closedLoop(run: RunOrder, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const start = performance.now();
  const windowStart = start + options.rampMs;
  const windowEnd = windowStart + options.windowMs;
  const inWindow: number[] = [];
  const errors: string[] = [];
  let failures = 0;
  let started = 0;
  const lane = async (index: number) => {
    for (let sequence = 0; performance.now() < windowEnd; sequence += 1) {
      started += 1;
      try {
        const latency = await run(index, sequence);
        const done = performance.now();
        if (done >= windowStart && done <= windowEnd) inWindow.push(latency);
      } catch (error) {
        failures += 1;
        keep(errors, error);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: options.concurrency }, (_, index) => lane(index)));
  const drained = await Promise.race([
    lanes.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), options.rampMs + options.windowMs + options.drainMs).unref()),
  ]);
  if (!drained) {
    failures += 1;
    keep(errors, `orders still in flight ${options.drainMs} ms after the window`);
  }
  return {
    perSecond: inWindow.length / (options.windowMs / 1000),
    window: { start: windowStart, end: windowEnd },
    completedInWindow: inWindow.length,
    windowMs: options.windowMs,
    latency: summarize(inWindow),
    latencies: inWindow,
    failures,
    errors,
    started,
  };
}

/** Several windows of the same load as one: completions over their total length. */
export function combineWindows(parts: readonly ClosedLoopResult[]): ClosedLoopResult {
  const latencies = parts.flatMap((p) => p.latencies);
  const windowMs = parts.reduce((sum, p) => sum + p.windowMs, 0);
  return {
    perSecond: latencies.length / (windowMs / 1000),
    window: { start: Math.min(...parts.map((p) => p.window.start)), end: Math.max(...parts.map((p) => p.window.end)) },
    completedInWindow: latencies.length,
    windowMs,
    latency: summarize(latencies),
    latencies,
    failures: parts.reduce((sum, p) => sum + p.failures, 0),
    errors: parts.flatMap((p) => p.errors).slice(0, MAX_ERRORS),
    started: parts.reduce((sum, p) => sum + p.started, 0),
  };
}

/** Several sequential runs as one. */
export function combineSequential(parts: readonly SequentialResult[]): SequentialResult {
  const latencies = parts.flatMap((p) => p.latencies);
  return {
    latency: summarize(latencies),
    latencies,
    failures: parts.reduce((sum, p) => sum + p.failures, 0),
    errors: parts.flatMap((p) => p.errors).slice(0, MAX_ERRORS),
  };
}

/** `total` orders, `concurrency` in flight at a time. */
export async function fixedCount(run: RunOrder, total: number, concurrency: number): Promise<{ latencies: number[]; failures: number; errors: string[]; elapsedMs: number }> {
  const started = performance.now();
  const latencies: number[] = [];
  const errors: string[] = [];
  let failures = 0;
  let next = 0;
  const lane = async (index: number) => {
    while (next < total) {
      const sequence = next;
      next += 1;
      try {
        latencies.push(await run(index, sequence));
      } catch (error) {
        failures += 1;
        keep(errors, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, (_, index) => lane(index)));
  return { latencies, failures, errors, elapsedMs: performance.now() - started };
}
