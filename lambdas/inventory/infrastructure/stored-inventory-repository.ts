import type { Trace } from '../../shared/events/envelope';
import type { SaveResult } from '../../shared/application/save-result';
import type { AggregateStore } from '../../shared/infrastructure/aggregate-store';
import { Reservation, type ReservationState } from '../domain/reservation';
import { StockItem, type StockState } from '../domain/stock';
import type { InventoryRepository } from '../application/inventory-repository';

const reservationKey = (orderId: string) => `RESERVATION#${orderId}`;
const stockKey = (sku: string) => `STOCK#${sku}`;

/** Inventory's repository over any {@link AggregateStore}: in memory or DynamoDB. */
export class StoredInventoryRepository implements InventoryRepository {
  /** `initialStock`: the level of each SKU before anything about it is stored (the demo catalogue). */
  constructor(
    private readonly store: AggregateStore,
    private readonly initialStock: Readonly<Record<string, number>> = {},
  ) {}

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const record = await this.store.load<ReservationState>(reservationKey(orderId));
    return record && Reservation.restore(record.state, record.version);
  }

  async getStock(skus: readonly string[]): Promise<Map<string, StockItem>> {
    const unique = [...new Set(skus)];
    const records = await Promise.all(unique.map((sku) => this.store.load<StockState>(stockKey(sku))));
    return new Map(
      unique.map((sku, i) => {
        const record = records[i];
        return [sku, record ? StockItem.restore(record.state, record.version) : StockItem.unknown(sku, this.initialStock[sku] ?? 0)];
      }),
    );
  }

  async save(change: { reservation?: Reservation; stock: readonly StockItem[] }, trace: Trace): Promise<SaveResult> {
    const { reservation, stock } = change;
    return this.store.commit(
      [
        ...(reservation ? [{ key: reservationKey(reservation.id), aggregate: reservation, state: reservation.state }] : []),
        ...stock.map((item) => ({ key: stockKey(item.id), aggregate: item, state: item.state })),
      ],
      trace,
    );
  }
}
