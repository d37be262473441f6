/**
 * Orders through the local cloud's HTTP API, each timed from `POST /orders` to the moment a
 * `GET /orders/{id}` answers its final status.
 *
 * Polling every few milliseconds would load the very API and table being measured, so the GET
 * is sent when the Order consumer that makes a final status (stock.reserved, payment.declined,
 * stock.reservation-failed) has just returned for that order, as the function host's afterInvoke
 * hook reports; a slow poll stays as the fallback. The status is always read through the API.
 */
import type { SQSEvent } from 'aws-lambda';
import { DEMO_STOCK } from '../lambdas/inventory/domain/demo-catalogue';
import type { InvocationInfo, InvocationOutcome } from '../local/cloud/runtime/function-host';
import type { PlaceOrderRequest } from '../local/demo';
import type { BenchFunction } from './topology';

/** In-stock SKUs of the demo catalogue: every bench order succeeds. */
export const BENCH_SKUS = Object.entries(DEMO_STOCK)
  .filter(([, stock]) => stock > 0)
  .map(([sku]) => sku);
export const LINES_PER_ORDER = 2;

/** A realistic order of two lines, under the payment limit, with SKUs rotating so that stock items are not all one hot key. */
export function benchOrder(sequence: number, customer = 'bench'): PlaceOrderRequest {
  const sku = (offset: number) => BENCH_SKUS[(sequence + offset) % BENCH_SKUS.length] as string;
  return {
    customerId: `${customer}-${sequence % 100}`,
    lines: [
      { sku: sku(0), quantity: 1, unitPrice: 1500 },
      { sku: sku(1), quantity: 2, unitPrice: 700 },
    ].slice(0, LINES_PER_ORDER),
  };
}

const FINAL = new Set(['STOCK_RESERVED', 'CANCELLED']);
const FINAL_EVENTS = new Set(['stock.reserved', 'payment.declined', 'stock.reservation-failed']);

/** The Order consumers whose success may leave an order in its final status. */
export function finalStatusFunctions(functions: readonly BenchFunction[]): Set<string> {
  return new Set(
    functions.flatMap((f) => (f.role.kind === 'consumer' && f.role.context === 'order' && FINAL_EVENTS.has(f.role.eventType) ? [f.fn.logicalId] : [])),
  );
}

/** The orders an SQS event's messages are about. */
export function orderIdsOf(event: unknown): string[] {
  const records = (event as Partial<SQSEvent> | undefined)?.Records ?? [];
  return records.flatMap((record) => {
    try {
      const orderId = (JSON.parse(record.body) as { data?: { orderId?: unknown } }).data?.orderId;
      return typeof orderId === 'string' ? [orderId] : [];
    } catch {
      return [];
    }
  });
}

export interface OrderRunnerOptions {
  readonly apiUrl: string;
  /** An order not final after this long fails. */
  readonly timeoutMs?: number;
  /** The fallback poll, in case a notice is missed: first after this long, then at this pace (default 2 s). */
  readonly fallbackPollMs?: number;
}

interface Pending {
  readonly orderId: string;
  /** Read the final status through the API; otherwise the final consumer's return is the end. */
  readonly throughApi: boolean;
  checking: boolean;
  /** A notice came while a read was under way: read again as soon as it answers. */
  recheck: boolean;
  done: boolean;
  readonly settle: (status: string | Error) => void;
}

export class OrderRunner {
  private readonly pending = new Map<string, Pending>();
  /** Notices that came before the order was registered (the POST's answer was still on its way). */
  private readonly early = new Set<string>();
  readonly statuses = new Map<string, number>();
  readonly placedOrderIds: string[] = [];
  /** Orders whose final status was read through the API: when (performance.now()) and their latency. */
  readonly seenThroughApi: { readonly at: number; readonly ms: number }[] = [];
  apiRequests = 0;

  constructor(
    private readonly options: OrderRunnerOptions,
    private readonly watched: ReadonlySet<string>,
  ) {}

  /** For the local cloud's afterInvoke option. Never throws, never waits. */
  readonly afterInvoke = (invocation: InvocationInfo, outcome: InvocationOutcome): void => {
    if (!outcome.ok || !this.watched.has(invocation.functionLogicalId)) return;
    for (const orderId of orderIdsOf(invocation.event)) {
      const pending = this.pending.get(orderId);
      if (pending) void this.check(pending, true);
      else this.early.add(orderId);
    }
  };

  /**
   * Places `request` and resolves to the ms until its final status was seen: read through the API
   * (`throughApi`), or reported by the final consumer's return (no read: counting runs, and the
   * orders of a throughput run that are not sampled for latency).
   */
  async run(request: PlaceOrderRequest, options: { throughApi: boolean }): Promise<number> {
    const started = performance.now();
    const placed = await this.call('POST', '/orders', request);
    const orderId = (placed as { orderId?: unknown }).orderId;
    if (typeof orderId !== 'string') throw new Error(`POST /orders answered no orderId: ${JSON.stringify(placed)}`);
    this.placedOrderIds.push(orderId);
    const status = await new Promise<string | Error>((resolve) => {
      const timeoutMs = this.options.timeoutMs ?? 30_000;
      const pollMs = this.options.fallbackPollMs ?? 2_000;
      const entry: Pending = {
        orderId,
        throughApi: options.throughApi,
        checking: false,
        recheck: false,
        done: false,
        settle: (value) => {
          if (entry.done) return;
          entry.done = true;
          clearInterval(poll);
          clearTimeout(timeout);
          this.pending.delete(orderId);
          resolve(value);
        },
      };
      const poll = setInterval(() => void this.check(entry, false), pollMs);
      const timeout = setTimeout(() => entry.settle(new Error(`order ${orderId} not final after ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(orderId, entry);
      if (this.early.delete(orderId)) void this.check(entry, true);
    });
    if (status instanceof Error) throw status;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const now = performance.now();
    if (options.throughApi) this.seenThroughApi.push({ at: now, ms: now - started });
    return now - started;
  }

  /** One read of the order's status; settles the order if it is final. */
  private async check(entry: Pending, notified: boolean): Promise<void> {
    if (entry.done) return;
    if (entry.checking) {
      entry.recheck ||= notified;
      return;
    }
    if (!entry.throughApi) {
      // The final consumer returned: nothing is read (no extra requests, no extra load).
      if (notified) entry.settle('final consumer returned');
      return;
    }
    entry.checking = true;
    try {
      const order = (await this.call('GET', `/orders/${encodeURIComponent(entry.orderId)}`)) as { status?: unknown };
      if (typeof order.status === 'string' && FINAL.has(order.status)) entry.settle(order.status);
    } catch {
      // The next notice or poll tries again.
    } finally {
      entry.checking = false;
    }
    if (entry.recheck && !entry.done) {
      entry.recheck = false;
      await this.check(entry, true);
    }
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    this.apiRequests += 1;
    const response = await fetch(`${this.options.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  }
}
