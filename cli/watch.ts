/**
 * `orders watch`: polls the order and its timeline, prints each new event once, and stops when
 * the order is settled, reaches the awaited status, or the time is up. The decisions (what to
 * print now, whether to stop) are pure functions of what the API answered.
 */
import { ApiError, type Order, type OrdersApi, type TimelineEntry } from './api';
import type { OrderStatus } from './args';
import type { TimelineLine } from './format';

/** How long an event whose cause is not in the timeline is held back, in case its cause is just late. */
export const CAUSE_GRACE_MS = 1_000;

/**
 * Decides which events of a growing timeline to print, and when. The event log may record an
 * effect before its cause, so an event waits (up to a grace period) for its cause to be printed:
 * lines then read cause first. An event whose cause never appears was caused by a request.
 */
export class TimelineTracker {
  readonly #printed = new Set<string>();
  readonly #firstSeen = new Map<string, number>();
  #start: number | undefined;

  constructor(private readonly graceMs: number = CAUSE_GRACE_MS) {}

  /** The events to print now, in order; `flush` prints everything still held back. */
  take(timeline: readonly TimelineEntry[], now: number, flush = false): TimelineLine[] {
    for (const entry of timeline) if (!this.#firstSeen.has(entry.id)) this.#firstSeen.set(entry.id, now);
    const byId = new Map(timeline.map((entry) => [entry.id, entry]));
    const lines: TimelineLine[] = [];
    const print = (entry: TimelineEntry) => {
      this.#start ??= Math.min(...timeline.map((e) => Date.parse(e.occurredAt)));
      const cause = byId.get(entry.causationId);
      lines.push({ entry, elapsedMs: Date.parse(entry.occurredAt) - this.#start, cause: cause ? cause.type : 'request' });
      this.#printed.add(entry.id);
    };
    for (let progress = true; progress; ) {
      progress = false;
      for (const [index, entry] of timeline.entries()) {
        if (this.#printed.has(entry.id)) continue;
        const cause = byId.get(entry.causationId);
        const waited = now - (this.#firstSeen.get(entry.id) ?? now) >= this.graceMs;
        const ready = cause ? this.#printed.has(cause.id) : index === 0 || waited || flush;
        if (ready) {
          print(entry);
          progress = true;
        }
      }
    }
    // Causes that form no chain back to a printed event (malformed data): print them all the same.
    if (flush) for (const entry of timeline) if (!this.#printed.has(entry.id)) print(entry);
    return lines;
  }
}

export type WatchOutcome =
  /** STOCK_RESERVED, or CANCELLED with every follow-up in (no watched status). */
  | 'settled'
  /** The awaited status was reached. */
  | 'reached'
  /** Settled in a status other than the awaited one. */
  | 'unexpected'
  | 'timeout';

/**
 * Settled: nothing more will happen to the order. Reserved, with the reservation in its timeline;
 * or cancelled, with the cancellation in its timeline and any payment taken refunded.
 */
export function isSettled(order: Pick<Order, 'status'>, timeline: readonly Pick<TimelineEntry, 'type'>[]): boolean {
  const types = new Set(timeline.map((e) => e.type));
  if (order.status === 'STOCK_RESERVED') return types.has('stock.reserved');
  if (order.status === 'CANCELLED') return types.has('order.cancelled') && (!types.has('payment.approved') || types.has('payment.refunded'));
  return false;
}

/** The event of the order's own timeline that says it entered a status it may have left since. */
const ENTERED_BY: Partial<Record<OrderStatus, string>> = { PLACED: 'order.placed', PAID: 'order.paid' };

/** Whether the order has been in `status` (PAID: it was paid, even if it is reserved by now). */
export function hasReached(order: Pick<Order, 'status'>, timeline: readonly Pick<TimelineEntry, 'type'>[], status: OrderStatus): boolean {
  const entered = ENTERED_BY[status];
  if (entered) return timeline.some((e) => e.type === entered);
  return order.status === status && isSettled(order, timeline);
}

/** Whether to stop, and how it went; undefined: keep watching. */
export function judge(order: Pick<Order, 'status'>, timeline: readonly Pick<TimelineEntry, 'type'>[], until?: OrderStatus): Exclude<WatchOutcome, 'timeout'> | undefined {
  if (until && hasReached(order, timeline, until)) return 'reached';
  if (isSettled(order, timeline)) return until ? 'unexpected' : 'settled';
  return undefined;
}

export interface WatchOptions {
  readonly until?: OrderStatus;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly graceMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WatchResult {
  readonly outcome: WatchOutcome;
  /** The order as last read. */
  readonly order: Order;
  readonly timeline: readonly TimelineEntry[];
}

/**
 * Watches until the order is judged done or the time is up, handing each event to `print` as
 * soon as its turn comes. An answer the API refuses (4xx) ends the watch; a failure that may be
 * passing (unreachable, 5xx) is retried until the timeout, then thrown.
 */
export async function watchOrder(api: OrdersApi, orderId: string, options: WatchOptions, print: (line: TimelineLine) => void): Promise<WatchResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const tracker = new TimelineTracker(options.graceMs);
  const deadline = now() + options.timeoutMs;
  let last: { order: Order; timeline: TimelineEntry[] } | undefined;
  for (;;) {
    try {
      const order = await api.get(orderId);
      last = { order, timeline: await api.timeline(orderId) };
    } catch (error) {
      if ((error instanceof ApiError && error.status < 500) || now() >= deadline) throw error;
    }
    if (last) {
      const outcome = judge(last.order, last.timeline, options.until);
      const timedOut = outcome === undefined && now() >= deadline;
      for (const line of tracker.take(last.timeline, now(), outcome !== undefined || timedOut)) print(line);
      if (outcome) return { outcome, ...last };
      if (timedOut) return { outcome: 'timeout', ...last };
    }
    await sleep(Math.max(0, Math.min(options.intervalMs, deadline - now())));
  }
}
