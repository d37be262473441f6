import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import { InMemoryEventBus } from '../../../lambdas/shared/event-bus/in-memory-event-bus';
import { eventsProducedBy, type OrderLine } from '../../../lambdas/shared/events/catalogue';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { InventoryService } from '../../../lambdas/inventory/application/inventory-service';
import { StoredInventoryRepository } from '../../../lambdas/inventory/infrastructure/stored-inventory-repository';
import { anEvent, fixedClock, recordPublished, recordedFromNow, sequentialIds } from '../../support/factories';

const ORDER_ID = 'order-1';

/** The Inventory context in memory, with a recorder of everything it publishes. */
function anInventoryContext(initialStock: Record<string, number> = {}) {
  const clock = fixedClock();
  const bus = new InMemoryEventBus();
  const published = recordPublished(bus, eventsProducedBy('inventory'));
  const store = new InMemoryStore({ source: 'inventory', dispatcher: new EventDispatcher(bus), clock, ids: sequentialIds('evt') });
  const service = new InventoryService({ inventory: new StoredInventoryRepository(store, initialStock), clock, ids: sequentialIds('res') });

  /** What this context publishes from now on: call before the `when`, read after it. */
  const publishedFromNow = () => recordedFromNow(bus, published);

  /** Units available of each SKU, as the service reports them. */
  async function available(...skus: string[]): Promise<Record<string, number>> {
    const levels = await Promise.all(skus.map(async (sku) => [sku, await service.getAvailable(sku)] as const));
    return Object.fromEntries(levels);
  }

  return { store, service, publishedFromNow, available };
}
type InventoryContext = ReturnType<typeof anInventoryContext>;

const line = (sku: string, quantity: number): OrderLine => ({ sku, quantity, unitPrice: 100 });
const paid = (lines: OrderLine[], orderId = ORDER_ID) => anEvent('order.paid', { orderId, lines });
const cancelled = (orderId = ORDER_ID) => anEvent('order.cancelled', { orderId, reason: 'CUSTOMER_REQUEST', paymentId: 'pay_1' });

/** A warehouse of 10 BOOK-DDD, 10 MUG-EVENTS and no SOLD-OUT. */
async function aStockedWarehouse(): Promise<InventoryContext> {
  const ctx = anInventoryContext();
  await ctx.service.seedStock({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10, 'SOLD-OUT': 0 });
  return ctx;
}

/** order-1 holds 2 BOOK-DDD and 3 MUG-EVENTS (8 and 7 left). */
async function aReservedOrder(): Promise<InventoryContext> {
  const ctx = await aStockedWarehouse();
  await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2), line('MUG-EVENTS', 3)]));
  return ctx;
}

describe('InventoryService', () => {
  describe('initial stock (the catalogue)', () => {
    it('given SKUs with nothing stored yet, when reserved, then they start at their catalogue level and only the change is stored', async () => {
      // given
      const ctx = anInventoryContext({ 'BOOK-DDD': 5, 'SOLD-OUT': 0 });
      expect(ctx.store.keys()).toEqual([]);
      // when
      await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)]));
      // then
      expect(await ctx.available('BOOK-DDD', 'SOLD-OUT', 'NEVER-SOLD')).toEqual({ 'BOOK-DDD': 3, 'SOLD-OUT': 0, 'NEVER-SOLD': 0 });
      expect(ctx.store.keys().sort()).toEqual([`RESERVATION#${ORDER_ID}`, 'STOCK#BOOK-DDD']);
    });
  });

  describe('seedStock', () => {
    it('given an empty warehouse, when stock is seeded, then each SKU has its level', async () => {
      // given
      const ctx = anInventoryContext();

      // when
      await ctx.service.seedStock({ 'BOOK-DDD': 10, 'SOLD-OUT': 0 });

      // then
      expect(await ctx.available('BOOK-DDD', 'SOLD-OUT', 'NEVER-STOCKED')).toEqual({ 'BOOK-DDD': 10, 'SOLD-OUT': 0, 'NEVER-STOCKED': 0 });
    });

    it('given stock already recorded, when seeded again, then recorded levels are kept and only new SKUs are added', async () => {
      // given
      const ctx = await aReservedOrder();

      // when
      await ctx.service.seedStock({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10, 'TSHIRT-CQRS': 4 });

      // then
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS', 'TSHIRT-CQRS')).toEqual({ 'BOOK-DDD': 8, 'MUG-EVENTS': 7, 'TSHIRT-CQRS': 4 });
    });
  });

  describe('reserveOnOrderPaid', () => {
    it('given stock for every line, when order.paid arrives, then the stock is taken and stock.reserved is published, caused by it', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const event = paid([line('BOOK-DDD', 2), line('MUG-EVENTS', 3)]);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(event);

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'RESERVED', reservationId: 'res-1' });
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS')).toEqual({ 'BOOK-DDD': 8, 'MUG-EVENTS': 7 });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'stock.reserved',
          source: 'inventory',
          correlationId: event.correlationId,
          causationId: event.id,
          data: {
            orderId: ORDER_ID,
            reservationId: 'res-1',
            lines: [
              { sku: 'BOOK-DDD', quantity: 2 },
              { sku: 'MUG-EVENTS', quantity: 3 },
            ],
          },
        }),
      ]);
    });

    it('given lines of one SKU, when order.paid arrives, then their sum is reserved', async () => {
      // given
      const ctx = await aStockedWarehouse();

      // when
      await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 4), line('BOOK-DDD', 6)]));

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'RESERVED', lines: [{ sku: 'BOOK-DDD', quantity: 10 }] });
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 0 });
    });

    it('given a line out of stock, when order.paid arrives, then nothing is taken and stock.reservation-failed names the SKU', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const event = paid([line('BOOK-DDD', 2), line('SOLD-OUT', 1)]);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(event);

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'FAILED', missingSkus: ['SOLD-OUT'] });
      expect(await ctx.available('BOOK-DDD', 'SOLD-OUT')).toEqual({ 'BOOK-DDD': 10, 'SOLD-OUT': 0 });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'stock.reservation-failed',
          causationId: event.id,
          data: { orderId: ORDER_ID, reason: 'OUT_OF_STOCK', skus: ['SOLD-OUT'] },
        }),
      ]);
    });

    it('given a SKU never stocked, when order.paid arrives, then the reservation fails naming it and no stock record is created', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(paid([line('NEVER-STOCKED', 1)]));

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'FAILED', missingSkus: ['NEVER-STOCKED'] });
      expect(ctx.store.keys()).not.toContain('STOCK#NEVER-STOCKED');
      expect((await published()).map((e) => e.data)).toEqual([{ orderId: ORDER_ID, reason: 'OUT_OF_STOCK', skus: ['NEVER-STOCKED'] }]);
    });

    it('given a reserved order, when the same order.paid is delivered again, then nothing more is taken or published', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const event = paid([line('BOOK-DDD', 2)]);
      await ctx.service.reserveOnOrderPaid(event);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(event);

      // then
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 8 });
      expect(await published()).toEqual([]);
    });

    it('given a reserved order, when a second order.paid for it arrives, then it is reserved only once', async () => {
      // given
      const ctx = await aReservedOrder();
      const reservation = await ctx.service.getReservation(ORDER_ID);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2), line('MUG-EVENTS', 3)]));

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toEqual(reservation);
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS')).toEqual({ 'BOOK-DDD': 8, 'MUG-EVENTS': 7 });
      expect(await published()).toEqual([]);
    });

    it('given a failed reservation, when order.paid arrives again, then it is not tried again', async () => {
      // given
      const ctx = await aStockedWarehouse();
      await ctx.service.reserveOnOrderPaid(paid([line('SOLD-OUT', 1)]));
      await ctx.service.seedStock({ 'TSHIRT-CQRS': 5 });
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(paid([line('TSHIRT-CQRS', 1)]));

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'FAILED' });
      expect(await ctx.available('TSHIRT-CQRS')).toEqual({ 'TSHIRT-CQRS': 5 });
      expect(await published()).toEqual([]);
    });

    it('given two deliveries of order.paid handled at the same time, when both finish, then the stock is taken once', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const published = await ctx.publishedFromNow();

      // when
      await Promise.all([
        ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)])),
        ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)])),
      ]);

      // then
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 8 });
      expect((await published()).map((e) => e.type)).toEqual(['stock.reserved']);
    });

    it('given stock for only one of two orders, when both are paid at the same time, then exactly one is reserved and the other fails', async () => {
      // given
      const ctx = anInventoryContext();
      await ctx.service.seedStock({ 'BOOK-DDD': 3 });
      const published = await ctx.publishedFromNow();

      // when
      await Promise.all([
        ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)], 'order-a')),
        ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)], 'order-b')),
      ]);

      // then
      const statuses = [(await ctx.service.getReservation('order-a'))?.status, (await ctx.service.getReservation('order-b'))?.status];
      expect(statuses.sort()).toEqual(['FAILED', 'RESERVED']);
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 1 });
      expect((await published()).map((e) => e.type).sort()).toEqual(['stock.reservation-failed', 'stock.reserved']);
    });
  });

  describe('releaseOnOrderCancelled', () => {
    it('given a reserved order, when order.cancelled arrives, then its stock goes back and the reservation is RELEASED', async () => {
      // given
      const ctx = await aReservedOrder();
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.releaseOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'RELEASED' });
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS')).toEqual({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });
      expect(await published()).toEqual([]);
    });

    it('given a released order, when another order.cancelled for it arrives, then the stock is not put back twice', async () => {
      // given
      const ctx = await aReservedOrder();
      await ctx.service.releaseOnOrderCancelled(cancelled());

      // when
      await ctx.service.releaseOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'RELEASED' });
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS')).toEqual({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });
    });

    it('given a released order, when the same order.cancelled is delivered again, then the stock is not put back twice', async () => {
      // given
      const ctx = await aReservedOrder();
      const event = cancelled();
      await ctx.service.releaseOnOrderCancelled(event);

      // when
      await ctx.service.releaseOnOrderCancelled(event);

      // then
      expect(await ctx.available('BOOK-DDD', 'MUG-EVENTS')).toEqual({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });
    });

    it('given a failed reservation, when order.cancelled arrives, then nothing is put back and it stays FAILED', async () => {
      // given
      const ctx = await aStockedWarehouse();
      await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2), line('SOLD-OUT', 1)]));

      // when
      await ctx.service.releaseOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'FAILED' });
      expect(await ctx.available('BOOK-DDD', 'SOLD-OUT')).toEqual({ 'BOOK-DDD': 10, 'SOLD-OUT': 0 });
    });

    it('given an order Inventory has not seen paid, when order.cancelled arrives, then the reservation is VOIDED', async () => {
      // given
      const ctx = await aStockedWarehouse();
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.releaseOnOrderCancelled(cancelled());

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'VOIDED', lines: [] });
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 10 });
      expect(await published()).toEqual([]);
    });

    it('given a cancellation that arrived before the order was paid, when the late order.paid arrives, then nothing is reserved or published', async () => {
      // given
      const ctx = await aStockedWarehouse();
      await ctx.service.releaseOnOrderCancelled(cancelled());
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.reserveOnOrderPaid(paid([line('BOOK-DDD', 2)]));

      // then
      expect(await ctx.service.getReservation(ORDER_ID)).toMatchObject({ status: 'VOIDED' });
      expect(await ctx.available('BOOK-DDD')).toEqual({ 'BOOK-DDD': 10 });
      expect(await published()).toEqual([]);
    });
  });

  describe('getReservation', () => {
    it('given an order Inventory knows nothing about, when read, then there is no reservation', async () => {
      // given
      const ctx = await aStockedWarehouse();

      // when
      const reservation = await ctx.service.getReservation('no-such-order');

      // then
      expect(reservation).toBeUndefined();
    });
  });
});
