/**
 * The load the scenarios put on the system: orders with a known mix of endings placed through
 * the HTTP API with bounded concurrency, a wait until every one settles and the queues are
 * empty, then the audit over every table.
 */
import { DEMO_STOCK } from '../../../lambdas/inventory/domain/demo-catalogue';
import type { PlaceOrderRequest } from '../../../local/demo';
import { audit, type AuditReport, type Expectation, type PlacedOrder } from './audit';
import { bounded, placeOrder, untilQuiet, type ScenarioCloud } from './scenario-cloud';

export interface OrderKind {
  readonly name: string;
  readonly request: (sequence: number) => PlaceOrderRequest;
  readonly expected: Expectation;
}

/** One of each ending, in turn: reserved, declined by Payment, cancelled for want of stock and refunded. */
export const ORDER_MIX: readonly OrderKind[] = [
  {
    name: 'happy',
    request: (n) => ({ customerId: `load-${n}`, lines: [{ sku: 'BOOK-DDD', quantity: 1 + (n % 3), unitPrice: 4500 }] }),
    expected: { status: 'STOCK_RESERVED' },
  },
  {
    name: 'declined',
    request: (n) => ({ customerId: `load-${n}`, lines: [{ sku: 'TSHIRT-CQRS', quantity: 60, unitPrice: 2500 }] }),
    expected: { status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' },
  },
  {
    name: 'out of stock',
    request: (n) => ({ customerId: `load-${n}`, lines: [{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }, { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 }] }),
    expected: { status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' },
  },
];

/** Reads every table and audits it against what was placed. */
export async function auditTables(env: ScenarioCloud, placed: readonly PlacedOrder[]): Promise<AuditReport> {
  const [orders, payments, inventory, eventLog] = await Promise.all([
    env.scan(env.tables.order),
    env.scan(env.tables.payment),
    env.scan(env.tables.inventory),
    env.scan(env.tables.eventLog),
  ]);
  return audit({ orders, payments, inventory, eventLog }, placed, DEMO_STOCK);
}

/** Whether every placed order has reached a final status (read from the Order table). */
export async function allFinal(env: ScenarioCloud, orderIds: ReadonlySet<string>): Promise<boolean> {
  const items = await env.scan(env.tables.order);
  let final = 0;
  for (const item of items) {
    const state = item.state as { orderId?: string; status?: string } | undefined;
    if (item.kind === 'aggregate' && state?.orderId && orderIds.has(state.orderId) && (state.status === 'STOCK_RESERVED' || state.status === 'CANCELLED')) final += 1;
  }
  return final === orderIds.size;
}

export interface LoadOptions {
  readonly orders: number;
  readonly concurrency: number;
  /** How long the orders may take to settle once placed. */
  readonly settleTimeoutMs: number;
}

export interface LoadResult {
  readonly placed: PlacedOrder[];
  readonly report: AuditReport;
  readonly elapsedMs: number;
  /** How long placing took (the API's answers), of elapsedMs. */
  readonly placedMs: number;
  /** Whether every order settled and the queues emptied before the deadline. */
  readonly settled: boolean;
}

export async function runOrderLoad(env: ScenarioCloud, options: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const placed = await bounded(options.orders, options.concurrency, async (n) => {
    const kind = ORDER_MIX[n % ORDER_MIX.length] as OrderKind;
    const order = await placeOrder(env.apiUrl, kind.request(n));
    return { orderId: order.orderId, expected: kind.expected };
  });
  const placedMs = Date.now() - started;
  const ids = new Set(placed.map((p) => p.orderId));
  let settled = true;
  try {
    await untilQuiet(env, () => allFinal(env, ids), options.settleTimeoutMs, `${ids.size} orders to settle`);
  } catch {
    settled = false; // the audit says which orders are stuck
  }
  const report = await auditTables(env, placed);
  return { placed, report, elapsedMs: Date.now() - started, placedMs, settled };
}

/** The final outcomes `orders` orders of {@link ORDER_MIX} must reach, in turn. */
export function expectedOutcomes(orders: number): Record<string, number> {
  const outcomes: Record<string, number> = {};
  for (let n = 0; n < orders; n++) {
    const { status, cancellationReason } = (ORDER_MIX[n % ORDER_MIX.length] as OrderKind).expected;
    const key = cancellationReason ? `${status}/${cancellationReason}` : status;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return outcomes;
}
