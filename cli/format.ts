/** What the CLI prints, as pure functions of what the API answered. */
import type { Order, TimelineEntry } from './api';

/** 10200 cents in EUR → `102.00 EUR` (integer arithmetic: no rounding surprises). */
export function formatMoney(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

/** `CANCELLED (OUT_OF_STOCK)`, or just the status. */
export function formatStatus(order: Pick<Order, 'status' | 'cancellationReason'>): string {
  return order.cancellationReason ? `${order.status} (${order.cancellationReason})` : order.status;
}

/** An order, one fact a line. */
export function formatOrder(order: Order): string[] {
  const label = (name: string) => `  ${name.padEnd(12)}`;
  const price = (cents: number) => formatMoney(cents, order.currency).replace(/ \S+$/, '');
  const lines = order.lines.map((line, i) => `${i === 0 ? label('lines') : ' '.repeat(14)}${line.quantity} × ${line.sku} at ${price(line.unitPrice)}`);
  return [
    `order ${order.orderId}: ${formatStatus(order)}`,
    `${label('customer')}${order.customerId}`,
    `${label('total')}${formatMoney(order.total, order.currency)}`,
    ...lines,
    ...(order.paymentId ? [`${label('payment')}${order.paymentId}`] : []),
    ...(order.placedAt ? [`${label('placed at')}${order.placedAt}`] : []),
    ...(order.updatedAt ? [`${label('updated at')}${order.updatedAt}`] : []),
    ...(order.correlationId ? [`${label('correlation')}${order.correlationId}`] : []),
  ];
}

export function formatPlaced(order: Order): string[] {
  return [`order ${order.orderId} placed: ${formatStatus(order)}, total ${formatMoney(order.total, order.currency)}`, `follow it with: orders watch ${order.orderId}`];
}

export function formatCancelled(order: Order): string {
  return `order ${order.orderId} is ${formatStatus(order)}`;
}

/** One event of a timeline as the CLI prints it. */
export interface TimelineLine {
  readonly entry: TimelineEntry;
  /** Since the first event of the timeline. */
  readonly elapsedMs: number;
  /** The type of the event that caused it, or `request` (a call to the API). */
  readonly cause: string;
}

/** `   +32ms  order     order.paid                ← payment.approved`: the demo's layout. */
export function formatTimelineLine({ entry, elapsedMs, cause }: TimelineLine): string {
  return `${`+${elapsedMs}ms`.padStart(8)}  ${entry.context.padEnd(9)} ${entry.type.padEnd(25)} ← ${cause}`;
}
