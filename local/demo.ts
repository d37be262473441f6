/**
 * The demo: a handful of orders, one down each path of the lifecycle, placed through a client
 * (the in-memory services, or the HTTP API of the local cloud or a deployed stack), with each
 * order's timeline printed once it settles.
 */
import type { OrderView, TimelineEntry } from '../lambdas/order/application/order-view';

export interface PlaceOrderRequest {
  readonly customerId: string;
  readonly lines: readonly { sku: string; quantity: number; unitPrice: number }[];
  readonly currency?: string;
}

/** What the demo needs of the Order API, whichever way it is reached. */
export interface OrderClient {
  place(request: PlaceOrderRequest): Promise<OrderView>;
  get(orderId: string): Promise<OrderView>;
  cancel(orderId: string): Promise<OrderView>;
  timeline(orderId: string): Promise<TimelineEntry[]>;
}

export interface DemoOrder {
  readonly name: string;
  readonly request: PlaceOrderRequest;
  /** Cancel as the customer once the order reaches this status. */
  readonly cancelWhen?: OrderView['status'];
  readonly expected: {
    readonly status: OrderView['status'];
    readonly cancellationReason?: string;
    /** The events its timeline must hold once settled, in order. */
    readonly events: readonly string[];
  };
}

/**
 * The local cloud's slow warehouse: Inventory takes its time to reserve, so that the demo (and
 * the e2e suite) can catch an order while it is PAID and cancel it. Keyed by the construct path
 * that starts the function's logical id.
 */
export const SLOW_WAREHOUSE: Readonly<Record<string, number>> = { InventoryOnOrderPaid: 300 };

export const DEMO_ORDERS: readonly DemoOrder[] = [
  {
    name: 'happy path',
    request: { customerId: 'alice', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }, { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 }] },
    expected: { status: 'STOCK_RESERVED', events: ['order.placed', 'payment.approved', 'order.paid', 'stock.reserved'] },
  },
  {
    name: 'payment declined (total above 1,000.00)',
    request: { customerId: 'bob', lines: [{ sku: 'TSHIRT-CQRS', quantity: 60, unitPrice: 2500 }] },
    expected: {
      status: 'CANCELLED',
      cancellationReason: 'PAYMENT_DECLINED',
      events: ['order.placed', 'payment.declined', 'order.cancelled'],
    },
  },
  {
    name: 'out of stock (refunded)',
    request: { customerId: 'carol', lines: [{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }] },
    expected: {
      status: 'CANCELLED',
      cancellationReason: 'OUT_OF_STOCK',
      events: ['order.placed', 'payment.approved', 'order.paid', 'stock.reservation-failed', 'order.cancelled', 'payment.refunded'],
    },
  },
  {
    name: 'cancelled by the customer after payment (refunded)',
    request: { customerId: 'dave', lines: [{ sku: 'STICKER-SAGA', quantity: 3, unitPrice: 300 }] },
    cancelWhen: 'PAID',
    expected: {
      status: 'CANCELLED',
      cancellationReason: 'CUSTOMER_REQUEST',
      events: ['order.placed', 'payment.approved', 'order.paid', 'order.cancelled', 'payment.refunded'],
    },
  },
];

export interface DemoResult {
  readonly demo: DemoOrder;
  readonly order: OrderView;
  readonly timeline: TimelineEntry[];
  readonly ok: boolean;
  readonly problem?: string;
}

export interface DemoOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly print?: (line: string) => void;
  /** Resolves once nothing is in flight (the in-memory bus knows; over HTTP, leave it out). */
  readonly settled?: () => Promise<void>;
}

/** Places every demo order, waits for each to settle, prints its timeline; ok only if all settled as expected. */
export async function runDemo(client: OrderClient, options: DemoOptions = {}): Promise<DemoResult[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  let results = await Promise.all(DEMO_ORDERS.map((demo) => runOne(client, demo, options)));
  if (options.settled) {
    // Read everything again once the late events (a release, an ignored reservation) are in too.
    await options.settled();
    results = await Promise.all(results.map((result) => (result.ok ? recheck(client, result) : result)));
  }
  for (const result of results) print(formatResult(result));
  return results;
}

async function recheck(client: OrderClient, { demo, order: { orderId } }: DemoResult): Promise<DemoResult> {
  const order = await client.get(orderId);
  const timeline = await client.timeline(order.orderId);
  const problem = mismatch(order, timeline, demo);
  return { demo, order, timeline, ok: problem === undefined, problem };
}

async function runOne(client: OrderClient, demo: DemoOrder, options: DemoOptions): Promise<DemoResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const pollMs = options.pollMs ?? 10;
  let order = await client.place(demo.request);
  try {
    if (demo.cancelWhen) {
      order = await pollUntil(() => client.get(order.orderId), (o) => o.status === demo.cancelWhen, deadline, pollMs);
      await client.cancel(order.orderId);
    }
    // Settled: the order reached its expected status and its timeline holds the expected events.
    order = await pollUntil(() => client.get(order.orderId), (o) => o.status === demo.expected.status, deadline, pollMs);
    const timeline = await pollUntil(
      () => client.timeline(order.orderId),
      (t) => containsInOrder(t.map((e) => e.type), demo.expected.events),
      deadline,
      pollMs,
    );
    const problem = mismatch(order, timeline, demo);
    return { demo, order, timeline, ok: problem === undefined, problem };
  } catch (error) {
    const timeline = await client.timeline(order.orderId).catch(() => []);
    order = await client.get(order.orderId).catch(() => order);
    return { demo, order, timeline, ok: false, problem: (error as Error).message };
  }
}

function mismatch(order: OrderView, timeline: readonly TimelineEntry[], demo: DemoOrder): string | undefined {
  if (order.status !== demo.expected.status) return `status is ${order.status}, expected ${demo.expected.status}`;
  if (demo.expected.cancellationReason && order.cancellationReason !== demo.expected.cancellationReason) {
    return `cancelled for ${order.cancellationReason}, expected ${demo.expected.cancellationReason}`;
  }
  const types = timeline.map((e) => e.type);
  if (!containsInOrder(types, demo.expected.events)) return `timeline is ${types.join(' → ')}`;
  const ids = new Set(timeline.map((e) => e.id));
  const orphan = timeline.find((e, i) => i > 0 && !ids.has(e.causationId) && e.type !== 'order.cancelled');
  if (orphan) return `${orphan.type} has no cause in the timeline`;
  return undefined;
}

/** True when `expected` appears in `actual` in that order (other events may sit between). */
export function containsInOrder(actual: readonly string[], expected: readonly string[]): boolean {
  let i = 0;
  for (const type of actual) if (type === expected[i]) i++;
  return i === expected.length;
}

export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, deadline: number, pollMs: number): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last seen: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function formatResult({ demo, order, timeline, ok, problem }: DemoResult): string {
  const head = `${ok ? '✔' : '✘'} ${demo.name}: order ${order.orderId} is ${order.status}${
    order.cancellationReason ? ` (${order.cancellationReason})` : ''
  }${problem ? ` — ${problem}` : ''}`;
  return [head, ...formatTimeline(timeline).map((line) => `    ${line}`)].join('\n');
}

/** One line per event: time since the first, context, type, and what caused it. */
export function formatTimeline(timeline: readonly TimelineEntry[]): string[] {
  const start = timeline[0] ? Date.parse(timeline[0].occurredAt) : 0;
  const byId = new Map(timeline.map((e) => [e.id, e]));
  return timeline.map((e) => {
    const cause = byId.get(e.causationId);
    const elapsed = `+${Date.parse(e.occurredAt) - start}ms`.padStart(8);
    return `${elapsed}  ${e.context.padEnd(9)} ${e.type.padEnd(25)} ← ${cause ? cause.type : 'request'}`;
  });
}
