import type { Clock, IdGenerator } from '../../shared/application/ports';
import { retryOnConcurrencyError } from '../../shared/application/retry';
import { causedBy, type Envelope } from '../../shared/events/envelope';
import { eventFields, silentLogger, type Logger } from '../../shared/logger';
import { Reservation } from '../domain/reservation';
import { StockItem } from '../domain/stock';
import type { InventoryRepository } from './inventory-repository';

export interface InventoryServiceDeps {
  readonly inventory: InventoryRepository;
  readonly clock: Clock;
  /** Makes reservation ids. */
  readonly ids: IdGenerator;
  readonly logger?: Logger;
}

/** The simulated Inventory context. */
export class InventoryService {
  private readonly logger: Logger;

  constructor(private readonly deps: InventoryServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /** `order.paid` → reserve every line, or none. An order already reserved, failed or voided reserves nothing more. */
  async reserveOnOrderPaid(event: Envelope<'order.paid'>): Promise<void> {
    const { orderId, lines } = event.data;
    await retryOnConcurrencyError(orderId, async () => {
      // The reservation and the stock it would take, in one read.
      const { reservation: existing, stock } = await this.deps.inventory.getReservationAndStock(orderId, lines.map((l) => l.sku));
      if (existing) {
        this.logger.info('order already has a reservation decision', { ...eventFields(event), orderId, status: existing.status });
        return;
      }
      const reservation = Reservation.reserve({ orderId, reservationId: this.deps.ids(), lines, stock, now: this.deps.clock() });
      await this.deps.inventory.save({ reservation, stock: [...stock.values()] }, causedBy(event));
    });
  }

  /**
   * `order.cancelled` → release what was reserved. A cancellation that arrives before the
   * order was paid voids it, so a late `order.paid` reserves nothing.
   */
  async releaseOnOrderCancelled(event: Envelope<'order.cancelled'>): Promise<void> {
    const { orderId } = event.data;
    await retryOnConcurrencyError(orderId, async () => {
      const existing = await this.deps.inventory.getReservation(orderId);
      if (!existing) {
        await this.deps.inventory.save({ reservation: Reservation.void(orderId, this.deps.clock()), stock: [] }, causedBy(event));
        return;
      }
      const stock = await this.deps.inventory.getStock(existing.skus);
      existing.release(stock, this.deps.clock());
      await this.deps.inventory.save({ reservation: existing, stock: [...stock.values()] }, causedBy(event));
    });
  }

  /** Puts stock in the warehouse (only where none is recorded yet). */
  async seedStock(levels: Readonly<Record<string, number>>): Promise<void> {
    const known = await this.deps.inventory.getStock(Object.keys(levels));
    const fresh = Object.entries(levels)
      .filter(([sku]) => known.get(sku)?.version === 0)
      .map(([sku, quantity]) => StockItem.receive(sku, quantity));
    if (fresh.length > 0) await this.deps.inventory.save({ stock: fresh }, { correlationId: 'seed', causationId: `seed:${fresh.map((s) => s.id).join(',')}` });
  }

  async getReservation(orderId: string) {
    return (await this.deps.inventory.getReservation(orderId))?.state;
  }

  async getAvailable(sku: string): Promise<number> {
    return (await this.deps.inventory.getStock([sku])).get(sku)?.available ?? 0;
  }
}
