import type { Trace } from '../../shared/events/envelope';
import type { SaveResult } from '../../shared/application/save-result';
import type { AggregateStore, StoredRecord } from '../../shared/infrastructure/aggregate-store';
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
    return (await this.getReservationAndStock(undefined, skus)).stock;
  }

  async getReservationAndStock(orderId: string | undefined, skus: readonly string[]): Promise<{ reservation?: Reservation; stock: Map<string, StockItem> }> {
    const unique = [...new Set(skus)];
    const reservationAt = orderId === undefined ? undefined : reservationKey(orderId);
    const records = await this.store.loadMany<unknown>([...(reservationAt ? [reservationAt] : []), ...unique.map(stockKey)]);
    const stock = new Map(
      unique.map((sku) => {
        const record = records.get(stockKey(sku)) as StoredRecord<StockState> | undefined;
        return [sku, record ? StockItem.restore(record.state, record.version) : StockItem.unknown(sku, this.initialStock[sku] ?? 0)];
      }),
    );
    const reservation = reservationAt ? (records.get(reservationAt) as StoredRecord<ReservationState> | undefined) : undefined;
    return reservation ? { reservation: Reservation.restore(reservation.state, reservation.version), stock } : { stock };
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
