import type { DomainEvent } from '../../shared/events/envelope';
import { AggregateRoot } from '../../shared/domain/aggregate-root';
import type { StockItem } from './stock';

/**
 * - `RESERVED`: stock for every line is held for the order.
 * - `FAILED`: some SKU lacked stock; nothing was held.
 * - `RELEASED`: the order was cancelled and its stock went back.
 * - `VOIDED`: the order was cancelled before Inventory saw it paid; it will never be reserved.
 */
export type ReservationStatus = 'RESERVED' | 'FAILED' | 'RELEASED' | 'VOIDED';
export type ReservationEvent = DomainEvent<'stock.reserved'> | DomainEvent<'stock.reservation-failed'>;

export interface ReservedLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface ReservationState {
  readonly orderId: string;
  readonly status: ReservationStatus;
  readonly reservationId?: string;
  readonly lines: readonly ReservedLine[];
  readonly missingSkus?: readonly string[];
  readonly updatedAt: string;
}

export interface ReserveStock {
  readonly orderId: string;
  readonly reservationId: string;
  readonly lines: readonly ReservedLine[];
  /** The stock of every SKU of the lines (unknown SKUs as {@link StockItem.unknown}). */
  readonly stock: ReadonlyMap<string, StockItem>;
  readonly now: Date;
}

/** One order's reservation. At most one per order: a second `order.paid` reserves nothing more. */
export class Reservation extends AggregateRoot<ReservationEvent> {
  #state: ReservationState;

  private constructor(state: ReservationState, version: number) {
    super(version);
    this.#state = state;
  }

  /**
   * All or nothing: every line's stock is taken, or none is and the SKUs that lacked stock are
   * named. Lines of the same SKU are added up first.
   */
  static reserve(command: ReserveStock): Reservation {
    const lines = totalPerSku(command.lines);
    const base = { orderId: command.orderId, lines, updatedAt: command.now.toISOString() };
    const missing = lines.filter((line) => (command.stock.get(line.sku)?.available ?? 0) < line.quantity).map((l) => l.sku);
    if (missing.length > 0) {
      const failed = new Reservation({ ...base, status: 'FAILED', missingSkus: missing }, 0);
      failed.record({ type: 'stock.reservation-failed', data: { orderId: command.orderId, reason: 'OUT_OF_STOCK', skus: missing } });
      return failed;
    }
    for (const line of lines) command.stock.get(line.sku)?.take(line.quantity);
    const reserved = new Reservation({ ...base, status: 'RESERVED', reservationId: command.reservationId }, 0);
    reserved.record({
      type: 'stock.reserved',
      data: { orderId: command.orderId, reservationId: command.reservationId, lines: lines.map((l) => ({ ...l })) },
    });
    return reserved;
  }

  /** The order was cancelled before it was seen paid: remember it, so that nothing is ever reserved for it. */
  static void(orderId: string, now: Date): Reservation {
    const voided = new Reservation({ orderId, status: 'VOIDED', lines: [], updatedAt: now.toISOString() }, 0);
    voided.touch();
    return voided;
  }

  static restore(state: ReservationState, version: number): Reservation {
    return new Reservation(state, version);
  }

  get id(): string {
    return this.#state.orderId;
  }

  get status(): ReservationStatus {
    return this.#state.status;
  }

  get state(): ReservationState {
    return this.#state;
  }

  get skus(): string[] {
    return this.#state.lines.map((l) => l.sku);
  }

  /** Puts reserved stock back. Only a held reservation releases anything; any other is a no-op. */
  release(stock: ReadonlyMap<string, StockItem>, now: Date): void {
    if (this.#state.status !== 'RESERVED') return;
    for (const line of this.#state.lines) {
      const item = stock.get(line.sku);
      if (!item) throw new Error(`stock of ${line.sku} must be loaded to release order ${this.id}`);
      item.putBack(line.quantity);
    }
    this.#state = { ...this.#state, status: 'RELEASED', updatedAt: now.toISOString() };
    this.touch();
  }
}

function totalPerSku(lines: readonly ReservedLine[]): ReservedLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}
