/**
 * The consistency audit, run after every scenario once the system is quiet: it reads every
 * table as it is and checks what must hold whatever was thrown at the system.
 *
 * - lost: an accepted order missing from the Order table, or an event written to an outbox that
 *   never reached the event log (a consumer of every topic);
 * - stuck: an order not at the final status its scenario expects;
 * - duplicated effects: a second event of a kind that happens once per order (a second charge,
 *   refund, reservation…), or stock taken or given back twice (stock is conserved);
 * - inconsistencies: an order whose state is not what its own events imply, a reservation that
 *   does not belong to a reserved order, a refund that does not belong to a cancelled paid order,
 *   a cancelled order whose money or stock was kept.
 */
import type { OrderState } from '../../../lambdas/order/domain/order';
import type { PaymentState } from '../../../lambdas/payment/domain/payment';
import type { ReservationState } from '../../../lambdas/inventory/domain/reservation';
import type { StockState } from '../../../lambdas/inventory/domain/stock';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import type { Item } from './scenario-cloud';

export interface Expectation {
  readonly status: OrderState['status'];
  readonly cancellationReason?: string;
}

export interface PlacedOrder {
  readonly orderId: string;
  /** The final status the scenario expects; undefined when either ending is right (a race). */
  readonly expected?: Expectation;
}

export interface TableSnapshot {
  readonly orders: readonly Item[];
  readonly payments: readonly Item[];
  readonly inventory: readonly Item[];
  readonly eventLog: readonly Item[];
}

export interface AuditReport {
  readonly lost: number;
  readonly stuck: number;
  readonly duplicatedEffects: number;
  readonly inconsistencies: number;
  /** One line per finding, to print when something is wrong. */
  readonly findings: readonly string[];
  /** The placed orders by final status (and cancellation reason). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** The placed orders' payments by status (an order Payment never saw has none). */
  readonly payments: Readonly<Record<string, number>>;
}

const statesOf = <T>(items: readonly Item[], prefix: string): Map<string, T> =>
  new Map(items.filter((i) => i.kind === 'aggregate' && String(i.pk).startsWith(prefix)).map((i) => [String(i.pk).slice(prefix.length), i.state as T]));

const outboxOf = (items: readonly Item[]): AnyEnvelope[] =>
  items.filter((i) => i.kind === 'outbox' && typeof i.envelope === 'string').map((i) => JSON.parse(i.envelope as string) as AnyEnvelope);

const orderIdOf = (event: AnyEnvelope) => (event.data as { orderId: string }).orderId;

export function audit(snapshot: TableSnapshot, placed: readonly PlacedOrder[], initialStock: Readonly<Record<string, number>>): AuditReport {
  const findings: string[] = [];
  let lost = 0;
  let stuck = 0;
  let duplicatedEffects = 0;
  let inconsistencies = 0;
  const inconsistent = (line: string) => {
    inconsistencies += 1;
    findings.push(`inconsistent: ${line}`);
  };

  const orders = statesOf<OrderState>(snapshot.orders, 'ORDER#');
  const payments = statesOf<PaymentState>(snapshot.payments, 'PAYMENT#');
  const reservations = statesOf<ReservationState>(snapshot.inventory, 'RESERVATION#');
  const stock = statesOf<StockState>(snapshot.inventory, 'STOCK#');
  const written = [...outboxOf(snapshot.orders), ...outboxOf(snapshot.payments), ...outboxOf(snapshot.inventory)];
  const logged = new Map(
    snapshot.eventLog.filter((i) => typeof i.envelope === 'string').map((i) => {
      const event = JSON.parse(i.envelope as string) as AnyEnvelope;
      return [event.id, event] as const;
    }),
  );

  // Lost: accepted orders, and events that left no trace where every event must arrive.
  for (const { orderId } of placed) {
    if (!orders.has(orderId)) {
      lost += 1;
      findings.push(`lost: order ${orderId} was accepted but is not in the Order table`);
    }
  }
  for (const event of written) {
    if (!logged.has(event.id)) {
      lost += 1;
      findings.push(`lost: ${event.type} ${event.id} of order ${orderIdOf(event)} is in an outbox but never reached the event log`);
    }
  }

  // Duplicated effects: every kind of event happens at most once per order.
  const eventsByOrder = new Map<string, AnyEnvelope[]>();
  for (const event of new Map([...written, ...logged.values()].map((e) => [e.id, e])).values()) {
    const list = eventsByOrder.get(orderIdOf(event)) ?? [];
    list.push(event);
    eventsByOrder.set(orderIdOf(event), list);
  }
  for (const [orderId, events] of eventsByOrder) {
    const byType = new Map<string, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    for (const [type, count] of byType) {
      if (count > 1) {
        duplicatedEffects += count - 1;
        findings.push(`duplicated: ${count} × ${type} for order ${orderId}`);
      }
    }
  }
  // ... and stock is conserved: what is left plus what is held equals what there was.
  const held = new Map<string, number>();
  for (const reservation of reservations.values()) {
    if (reservation.status !== 'RESERVED') continue;
    for (const line of reservation.lines) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
  }
  for (const [sku, item] of stock) {
    const initial = initialStock[sku] ?? 0;
    const accounted = item.available + (held.get(sku) ?? 0);
    if (accounted !== initial) {
      duplicatedEffects += 1;
      findings.push(`duplicated: stock of ${sku} is not conserved: ${item.available} available + ${held.get(sku) ?? 0} reserved ≠ ${initial} at start`);
    }
  }

  // Each order against its expectation, its own events, and the other contexts' records.
  for (const [orderId, order] of orders) {
    const events = eventsByOrder.get(orderId) ?? [];
    const has = (type: string) => events.find((e) => e.type === type);
    const cancelled = has('order.cancelled') as (AnyEnvelope & { data: { reason: string } }) | undefined;
    const paid = has('order.paid') as (AnyEnvelope & { data: { paymentId: string } }) | undefined;
    const implied = cancelled ? 'CANCELLED' : paid ? (has('stock.reserved') ? 'STOCK_RESERVED' : 'PAID') : 'PLACED';
    if (order.status !== implied) inconsistent(`order ${orderId} is ${order.status} but its events imply ${implied}`);
    if (cancelled && order.cancellationReason !== cancelled.data.reason) {
      inconsistent(`order ${orderId} was cancelled for ${cancelled.data.reason} but says ${String(order.cancellationReason)}`);
    }
    if (paid && order.paymentId !== paid.data.paymentId) inconsistent(`order ${orderId} holds payment ${String(order.paymentId)}, its order.paid says ${paid.data.paymentId}`);

    const payment = payments.get(orderId);
    if ((order.status === 'PAID' || order.status === 'STOCK_RESERVED') && (payment?.status !== 'APPROVED' || payment.paymentId !== order.paymentId)) {
      inconsistent(`order ${orderId} is ${order.status} but its payment is ${payment?.status ?? 'missing'}`);
    }
    if (order.status === 'CANCELLED' && payment?.status === 'APPROVED') inconsistent(`order ${orderId} is cancelled but its payment was kept (not refunded)`);
    if (payment?.status === 'REFUNDED' && (order.status !== 'CANCELLED' || !has('payment.approved'))) {
      inconsistent(`order ${orderId} was refunded but is ${order.status}${has('payment.approved') ? '' : ' and was never charged'}`);
    }
    if (order.cancellationReason === 'PAYMENT_DECLINED' && payment?.status !== 'DECLINED') inconsistent(`order ${orderId} was declined but its payment is ${payment?.status ?? 'missing'}`);

    const reservation = reservations.get(orderId);
    if (order.status === 'STOCK_RESERVED' && reservation?.status !== 'RESERVED') inconsistent(`order ${orderId} is STOCK_RESERVED but its reservation is ${reservation?.status ?? 'missing'}`);
    if (order.status === 'CANCELLED' && reservation?.status === 'RESERVED') inconsistent(`order ${orderId} is cancelled but its stock is still reserved`);
  }
  for (const [orderId, reservation] of reservations) {
    if (reservation.status === 'RESERVED' && orders.get(orderId)?.status !== 'STOCK_RESERVED' && orders.get(orderId)?.status !== 'PAID') {
      inconsistent(`reservation of ${orderId} belongs to an order that is ${orders.get(orderId)?.status ?? 'missing'}`);
    }
  }
  for (const [orderId, payment] of payments) {
    if (payment.status !== 'VOIDED' && !orders.has(orderId)) inconsistent(`payment ${payment.status} for order ${orderId}, which does not exist`);
  }

  // Stuck: not at the expected final status.
  const outcomes: Record<string, number> = {};
  const paymentOutcomes: Record<string, number> = {};
  for (const { orderId, expected } of placed) {
    const payment = payments.get(orderId);
    if (payment) paymentOutcomes[payment.status] = (paymentOutcomes[payment.status] ?? 0) + 1;
    const order = orders.get(orderId);
    if (!order) continue;
    const outcome = order.cancellationReason ? `${order.status}/${order.cancellationReason}` : order.status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const final = order.status === 'STOCK_RESERVED' || order.status === 'CANCELLED';
    if (!final || (expected && (order.status !== expected.status || (expected.cancellationReason ?? order.cancellationReason) !== order.cancellationReason))) {
      stuck += 1;
      findings.push(`stuck: order ${orderId} is ${order.status}${order.cancellationReason ? `/${order.cancellationReason}` : ''}, expected ${expected ? `${expected.status}${expected.cancellationReason ? `/${expected.cancellationReason}` : ''}` : 'a final status'}`);
    }
  }

  return { lost, stuck, duplicatedEffects, inconsistencies, findings, outcomes, payments: paymentOutcomes };
}
