import type { Trace } from '../../shared/events/envelope';
import type { InMemoryStore, SaveResult } from '../../shared/infrastructure/in-memory-store';
import { Reservation, type ReservationState } from '../domain/reservation';
import { StockItem, type StockState } from '../domain/stock';
import type { InventoryRepository } from '../application/inventory-repository';

const reservationKey = (orderId: string) => `RESERVATION#${orderId}`;
const stockKey = (sku: string) => `STOCK#${sku}`;

export class InMemoryInventoryRepository implements InventoryRepository {
  constructor(private readonly store: InMemoryStore) {}

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const record = this.store.load<ReservationState>(reservationKey(orderId));
    return record && Reservation.restore(record.state, record.version);
  }

  async getStock(skus: readonly string[]): Promise<Map<string, StockItem>> {
    const items = new Map<string, StockItem>();
    for (const sku of new Set(skus)) {
      const record = this.store.load<StockState>(stockKey(sku));
      items.set(sku, record ? StockItem.restore(record.state, record.version) : StockItem.unknown(sku));
    }
    return items;
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
