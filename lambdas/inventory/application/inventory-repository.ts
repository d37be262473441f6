import type { SaveResult } from '../../shared/application/save-result';
import type { Trace } from '../../shared/events/envelope';
import type { Reservation } from '../domain/reservation';
import type { StockItem } from '../domain/stock';

export interface InventoryRepository {
  getReservation(orderId: string): Promise<Reservation | undefined>;
  /** The order's reservation, if any, and the stock of each SKU asked for, read together (one round trip). */
  getReservationAndStock(orderId: string, skus: readonly string[]): Promise<{ reservation?: Reservation; stock: Map<string, StockItem> }>;
  /** The stock of each SKU asked for; a SKU with nothing stored comes back as {@link StockItem.unknown}, at its initial level. */
  getStock(skus: readonly string[]): Promise<Map<string, StockItem>>;
  /**
   * Writes a reservation and the stock it changed in one atomic, version-checked write with
   * the reservation's events, and records the cause as applied.
   */
  save(change: { reservation?: Reservation; stock: readonly StockItem[] }, trace: Trace): Promise<SaveResult>;
}
