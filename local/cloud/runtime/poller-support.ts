/** What the SQS and stream pollers share: counters, backoff, interruptible waits. */

/** Running totals of one poller, for tests and benchmarks. */
export interface PollerCounters {
  /** Invocations made (one per batch, retries included). */
  batches: number;
  /** Records delivered in those invocations (a retried record counts each time). */
  records: number;
  /** Records whose invocation failed, or that the function reported as failed. */
  failures: number;
  /** Deliveries of records that had been delivered before. */
  retries: number;
  /**
   * SQS: failed messages that had reached the queue's maxReceiveCount, which its redrive policy
   * then moves to the dead-letter queue. Streams: failure descriptions sent to the on-failure queue.
   */
  dlqSends: number;
}

export function newCounters(): PollerCounters {
  return { batches: 0, records: 0, failures: 0, retries: 0, dlqSends: 0 };
}

/** Exponential backoff for emulator errors: 100 ms doubling to 5 s, reset after a success. */
export class Backoff {
  private next = 0;

  constructor(
    private readonly initialMs = 100,
    private readonly maxMs = 5_000,
  ) {}

  delay(): number {
    this.next = this.next === 0 ? this.initialMs : Math.min(this.maxMs, this.next * 2);
    return this.next;
  }

  reset(): void {
    this.next = 0;
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (never rejects). The timer is unref'd:
 * a pending poll interval never keeps the process alive on its own.
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'RequestAbortedError');
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Default log of the pollers: one prefixed line on stderr. */
export function defaultLog(prefix: string): (line: string) => void {
  return (line) => process.stderr.write(`[${prefix}] ${line}\n`);
}
