import { Reservation, type ReservationState, type ReservedLine } from '../../../lambdas/inventory/domain/reservation';
import { InsufficientStockError, StockItem } from '../../../lambdas/inventory/domain/stock';

const RESERVED_AT = new Date('2026-01-01T12:00:00.000Z');
const LATER = new Date('2026-01-01T12:05:00.000Z');

/** Stock as loaded from storage: committed, nothing pending. */
function stockOf(levels: Record<string, number>): Map<string, StockItem> {
  return new Map(
    Object.entries(levels).map(([sku, available]) => {
      const item = StockItem.receive(sku, available);
      item.markCommitted(1);
      return [sku, item];
    }),
  );
}

function availableIn(stock: ReadonlyMap<string, StockItem>): Record<string, number> {
  return Object.fromEntries([...stock].map(([sku, item]) => [sku, item.available]));
}

function reserve(lines: ReservedLine[], stock: Map<string, StockItem>): Reservation {
  return Reservation.reserve({ orderId: 'order-1', reservationId: 'res_1', lines, stock, now: RESERVED_AT });
}

/** A committed reservation of 2 BOOK-DDD and 3 MUG-EVENTS, with the stock it was taken from (now 8 and 7). */
function aHeldReservation(): { reservation: Reservation; stock: Map<string, StockItem> } {
  const stock = stockOf({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });
  const reservation = reserve(
    [
      { sku: 'BOOK-DDD', quantity: 2 },
      { sku: 'MUG-EVENTS', quantity: 3 },
    ],
    stock,
  );
  reservation.markCommitted(1);
  for (const item of stock.values()) item.markCommitted(2);
  return { reservation, stock };
}

function aReleasedReservation(): { reservation: Reservation; stock: Map<string, StockItem> } {
  const held = aHeldReservation();
  held.reservation.release(held.stock, RESERVED_AT);
  held.reservation.markCommitted(2);
  for (const item of held.stock.values()) item.markCommitted(3);
  return held;
}

function aFailedReservation(): { reservation: Reservation; stock: Map<string, StockItem> } {
  const stock = stockOf({ 'BOOK-DDD': 10, 'SOLD-OUT': 0 });
  const reservation = reserve(
    [
      { sku: 'BOOK-DDD', quantity: 2 },
      { sku: 'SOLD-OUT', quantity: 1 },
    ],
    stock,
  );
  reservation.markCommitted(1);
  return { reservation, stock };
}

function aVoidedReservation(): { reservation: Reservation; stock: Map<string, StockItem> } {
  const reservation = Reservation.void('order-1', RESERVED_AT);
  reservation.markCommitted(1);
  return { reservation, stock: stockOf({ 'BOOK-DDD': 10 }) };
}

function expectUnchanged(reservation: Reservation, before: { state: ReservationState; version: number }): void {
  expect(reservation.state).toEqual(before.state);
  expect(reservation.version).toBe(before.version);
  expect(reservation.pendingEvents).toEqual([]);
  expect(reservation.hasChanges).toBe(false);
}

describe('StockItem', () => {
  it('given a quantity received, when created, then that much is available and it has changes to store', () => {
    // given
    const quantity = 5;

    // when
    const item = StockItem.receive('BOOK-DDD', quantity);

    // then
    expect(item.id).toBe('BOOK-DDD');
    expect(item.available).toBe(5);
    expect(item.hasChanges).toBe(true);
    expect(item.pendingEvents).toEqual([]);
  });

  it('given a SKU never stocked, when looked up as unknown, then none is available and there is nothing to store', () => {
    // given
    const sku = 'NEVER-STOCKED';

    // when
    const item = StockItem.unknown(sku);

    // then
    expect(item.available).toBe(0);
    expect(item.version).toBe(0);
    expect(item.hasChanges).toBe(false);
  });

  describe('take', () => {
    it('given enough stock, when some is taken, then less is available and it has changes', () => {
      // given
      const item = stockOf({ 'BOOK-DDD': 5 }).get('BOOK-DDD') as StockItem;

      // when
      item.take(2);

      // then
      expect(item.available).toBe(3);
      expect(item.hasChanges).toBe(true);
    });

    it('given some stock, when all of it is taken, then none is available', () => {
      // given
      const item = stockOf({ 'BOOK-DDD': 5 }).get('BOOK-DDD') as StockItem;

      // when
      item.take(5);

      // then
      expect(item.available).toBe(0);
    });

    it('given too little stock, when more is taken, then it is rejected with an InsufficientStockError and nothing changes', () => {
      // given
      const item = stockOf({ 'BOOK-DDD': 5 }).get('BOOK-DDD') as StockItem;

      // when
      const take = () => item.take(6);

      // then
      expect(take).toThrow(InsufficientStockError);
      expect(take).toThrow(expect.objectContaining({ sku: 'BOOK-DDD', requested: 6, available: 5, code: 'INSUFFICIENT_STOCK' }));
      expect(item.available).toBe(5);
      expect(item.hasChanges).toBe(false);
    });
  });

  describe('putBack', () => {
    it('given some stock, when some is put back, then more is available and it has changes', () => {
      // given
      const item = stockOf({ 'BOOK-DDD': 5 }).get('BOOK-DDD') as StockItem;

      // when
      item.putBack(3);

      // then
      expect(item.available).toBe(8);
      expect(item.hasChanges).toBe(true);
    });
  });
});

describe('Reservation', () => {
  describe('reserve', () => {
    it('given stock for every line, when reserved, then it is RESERVED, takes every line from stock, and records stock.reserved', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 2 },
          { sku: 'MUG-EVENTS', quantity: 3 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('RESERVED');
      expect(reservation.state).toEqual({
        orderId: 'order-1',
        status: 'RESERVED',
        reservationId: 'res_1',
        lines: [
          { sku: 'BOOK-DDD', quantity: 2 },
          { sku: 'MUG-EVENTS', quantity: 3 },
        ],
        updatedAt: RESERVED_AT.toISOString(),
      });
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 8, 'MUG-EVENTS': 7 });
      expect(reservation.pendingEvents).toEqual([
        {
          type: 'stock.reserved',
          data: {
            orderId: 'order-1',
            reservationId: 'res_1',
            lines: [
              { sku: 'BOOK-DDD', quantity: 2 },
              { sku: 'MUG-EVENTS', quantity: 3 },
            ],
          },
        },
      ]);
      expect(reservation.hasChanges).toBe(true);
    });

    it('given exactly the stock asked for, when reserved, then it is RESERVED and none is left', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 2 });

      // when
      const reservation = reserve([{ sku: 'BOOK-DDD', quantity: 2 }], stock);

      // then
      expect(reservation.status).toBe('RESERVED');
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 0 });
    });

    it('given one line short of stock, when reserved, then it FAILED naming that SKU, takes nothing from any line, and records stock.reservation-failed', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 10, 'MUG-EVENTS': 2 });

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 2 },
          { sku: 'MUG-EVENTS', quantity: 3 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('FAILED');
      expect(reservation.state.missingSkus).toEqual(['MUG-EVENTS']);
      expect(reservation.state.reservationId).toBeUndefined();
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 10, 'MUG-EVENTS': 2 });
      expect([...stock.values()].map((item) => item.hasChanges)).toEqual([false, false]);
      expect(reservation.pendingEvents).toEqual([
        { type: 'stock.reservation-failed', data: { orderId: 'order-1', reason: 'OUT_OF_STOCK', skus: ['MUG-EVENTS'] } },
      ]);
      expect(reservation.hasChanges).toBe(true);
    });

    it('given several lines short of stock, when reserved, then it FAILED naming every one of them', () => {
      // given
      const stock = stockOf({ 'SOLD-OUT': 0, 'BOOK-DDD': 10, 'MUG-EVENTS': 1 });

      // when
      const reservation = reserve(
        [
          { sku: 'SOLD-OUT', quantity: 1 },
          { sku: 'BOOK-DDD', quantity: 1 },
          { sku: 'MUG-EVENTS', quantity: 2 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('FAILED');
      expect(reservation.state.missingSkus).toEqual(['SOLD-OUT', 'MUG-EVENTS']);
      expect(availableIn(stock)).toEqual({ 'SOLD-OUT': 0, 'BOOK-DDD': 10, 'MUG-EVENTS': 1 });
    });

    it('given a SKU the store never stocked, when reserved, then it FAILED naming it as out of stock', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 10 });
      stock.set('NEVER-STOCKED', StockItem.unknown('NEVER-STOCKED'));

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 1 },
          { sku: 'NEVER-STOCKED', quantity: 1 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('FAILED');
      expect(reservation.state.missingSkus).toEqual(['NEVER-STOCKED']);
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 10, 'NEVER-STOCKED': 0 });
    });

    it('given a SKU missing from the stock given, when reserved, then it FAILED naming it as out of stock', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 10 });

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 1 },
          { sku: 'MUG-EVENTS', quantity: 1 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('FAILED');
      expect(reservation.state.missingSkus).toEqual(['MUG-EVENTS']);
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 10 });
    });

    it('given two lines of one SKU that fit only separately, when reserved, then their sum is checked and it FAILED', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 5 });

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 3 },
          { sku: 'BOOK-DDD', quantity: 3 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('FAILED');
      expect(reservation.state.missingSkus).toEqual(['BOOK-DDD']);
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 5 });
    });

    it('given two lines of one SKU that fit together, when reserved, then it is RESERVED as one summed line', () => {
      // given
      const stock = stockOf({ 'BOOK-DDD': 6 });

      // when
      const reservation = reserve(
        [
          { sku: 'BOOK-DDD', quantity: 3 },
          { sku: 'BOOK-DDD', quantity: 3 },
        ],
        stock,
      );

      // then
      expect(reservation.status).toBe('RESERVED');
      expect(reservation.state.lines).toEqual([{ sku: 'BOOK-DDD', quantity: 6 }]);
      expect(reservation.skus).toEqual(['BOOK-DDD']);
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 0 });
      expect(reservation.pendingEvents[0]).toMatchObject({ type: 'stock.reserved', data: { lines: [{ sku: 'BOOK-DDD', quantity: 6 }] } });
    });
  });

  describe('release', () => {
    it('given a RESERVED reservation, when released, then it is RELEASED, puts every line back in stock, and records no event', () => {
      // given
      const { reservation, stock } = aHeldReservation();

      // when
      reservation.release(stock, LATER);

      // then
      expect(reservation.status).toBe('RELEASED');
      expect(reservation.state.updatedAt).toBe(LATER.toISOString());
      expect(availableIn(stock)).toEqual({ 'BOOK-DDD': 10, 'MUG-EVENTS': 10 });
      expect(reservation.pendingEvents).toEqual([]);
      expect(reservation.hasChanges).toBe(true);
    });

    it.each<[string, () => { reservation: Reservation; stock: Map<string, StockItem> }]>([
      ['RELEASED', aReleasedReservation],
      ['FAILED', aFailedReservation],
      ['VOIDED', aVoidedReservation],
    ])('given a %s reservation, when released, then nothing changes and no stock is put back', (status, given) => {
      // given
      const { reservation, stock } = given();
      const before = { state: reservation.state, version: reservation.version };
      const availableBefore = availableIn(stock);

      // when
      reservation.release(stock, LATER);

      // then
      expect(reservation.status).toBe(status);
      expectUnchanged(reservation, before);
      expect(availableIn(stock)).toEqual(availableBefore);
      expect([...stock.values()].some((item) => item.hasChanges)).toBe(false);
    });
  });

  describe('void', () => {
    it('given an order never seen paid, when voided, then it is VOIDED with no lines, records no event, and has changes to store', () => {
      // given
      const orderId = 'order-1';

      // when
      const reservation = Reservation.void(orderId, RESERVED_AT);

      // then
      expect(reservation.status).toBe('VOIDED');
      expect(reservation.id).toBe(orderId);
      expect(reservation.state.lines).toEqual([]);
      expect(reservation.state.reservationId).toBeUndefined();
      expect(reservation.pendingEvents).toEqual([]);
      expect(reservation.hasChanges).toBe(true);
    });
  });

  describe('restore', () => {
    it('given a stored state, when restored, then it has that state and version and nothing pending', () => {
      // given
      const stored = aHeldReservation().reservation.state;

      // when
      const reservation = Reservation.restore(stored, 4);

      // then
      expect(reservation.state).toEqual(stored);
      expect(reservation.version).toBe(4);
      expect(reservation.pendingEvents).toEqual([]);
      expect(reservation.hasChanges).toBe(false);
    });
  });
});
