import { ConcurrencyError } from '../../../lambdas/shared/application/errors';
import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import { InMemoryEventBus } from '../../../lambdas/shared/event-bus/in-memory-event-bus';
import type { Trace } from '../../../lambdas/shared/events/envelope';
import type { AggregateWrite } from '../../../lambdas/shared/infrastructure/aggregate-store';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { Order, type OrderState } from '../../../lambdas/order/domain/order';
import { fixedClock, recordPublished, sequentialIds } from '../../support/factories';

const NOW = new Date('2026-01-01T12:00:00.000Z');

function aStore(): InMemoryStore {
  return new InMemoryStore({ source: 'order', clock: fixedClock(NOW), ids: sequentialIds('evt') });
}

function aStoreWithBus(): { store: InMemoryStore; bus: InMemoryEventBus } {
  const bus = new InMemoryEventBus();
  const store = new InMemoryStore({ source: 'order', clock: fixedClock(NOW), ids: sequentialIds('evt'), dispatcher: new EventDispatcher(bus) });
  return { store, bus };
}

function aNewOrder(orderId = 'order-1'): Order {
  return Order.place({
    orderId,
    customerId: 'customer-1',
    lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }],
    correlationId: 'corr-1',
    now: NOW,
  });
}

const key = (orderId: string) => `ORDER#${orderId}`;
const write = (order: Order): AggregateWrite => ({ key: key(order.id), aggregate: order, state: order.state });
const cause = (causationId: string): Trace => ({ correlationId: 'corr-1', causationId });

async function load(store: InMemoryStore, orderId = 'order-1'): Promise<Order> {
  const record = await store.load<OrderState>(key(orderId));
  if (!record) throw new Error(`${orderId} is not stored`);
  return Order.restore(record.state, record.version);
}

/** A store holding order-1, placed (version 1). */
async function aStoreWithAPlacedOrder(): Promise<InMemoryStore> {
  const store = aStore();
  await store.commit([write(aNewOrder())], cause('place-1'));
  return store;
}

describe('InMemoryStore', () => {
  describe('commit', () => {
    it('given a new aggregate, when committed, then it is saved at version 1 with its events in the outbox, and marked committed', async () => {
      // given
      const store = aStore();
      const order = aNewOrder();

      // when
      const result = await store.commit([write(order)], cause('place-1'));

      // then
      expect(result).toBe('saved');
      expect(await store.load(key('order-1'))).toEqual({ state: order.state, version: 1 });
      expect(order.version).toBe(1);
      expect(order.pendingEvents).toEqual([]);
      expect(order.hasChanges).toBe(false);
      expect(store.committedEvents).toEqual([
        {
          sequence: 1,
          index: 0,
          event: {
            id: 'evt-1',
            type: 'order.placed',
            version: 2,
            source: 'order',
            occurredAt: NOW.toISOString(),
            aggregateId: 'order-1',
            correlationId: 'corr-1',
            causationId: 'place-1',
            data: { orderId: 'order-1', customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }], total: 9000, currency: 'EUR' },
          },
        },
      ]);
    });

    it('given a stored aggregate loaded and changed, when committed, then it is saved at the next version and its event numbered with it', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const order = await load(store);
      order.markAsPaid('pay_1', NOW);

      // when
      const result = await store.commit([write(order)], cause('approval-1'));

      // then
      expect(result).toBe('saved');
      expect((await load(store)).status).toBe('PAID');
      expect(order.version).toBe(2);
      expect(store.committedEvents.map((e) => [e.event.type, e.sequence, e.index])).toEqual([
        ['order.placed', 1, 0],
        ['order.paid', 2, 0],
      ]);
    });

    it('given a copy loaded before someone else saved, when committed, then it throws a ConcurrencyError and writes nothing', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const stale = await load(store);
      const winner = await load(store);
      winner.markAsPaid('pay_1', NOW);
      await store.commit([write(winner)], cause('approval-1'));
      stale.cancel('CUSTOMER_REQUEST', NOW);

      // when
      const commit = store.commit([write(stale)], cause('cancel-1'));

      // then
      await expect(commit).rejects.toThrow(ConcurrencyError);
      await expect(commit).rejects.toMatchObject({ aggregateId: 'order-1', expectedVersion: 1 });
      const stored = await load(store);
      expect(stored.status).toBe('PAID');
      expect(stored.version).toBe(2);
      expect(store.committedEvents.map((e) => e.event.type)).toEqual(['order.placed', 'order.paid']);
      expect(stale.version).toBe(1);
      expect(stale.pendingEvents.map((e) => e.type)).toEqual(['order.cancelled']);
    });

    it('given a key already stored, when a new aggregate (version 0) is committed under it, then it throws a ConcurrencyError and writes nothing', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const before = await store.load(key('order-1'));
      const duplicate = aNewOrder('order-1');

      // when
      const commit = store.commit([write(duplicate)], cause('place-2'));

      // then
      await expect(commit).rejects.toThrow(ConcurrencyError);
      expect(await store.load(key('order-1'))).toEqual(before);
      expect(store.committedEvents).toHaveLength(1);
    });

    it('given two aggregates of which one is stale, when committed together, then neither is written', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const stale = await load(store);
      const winner = await load(store);
      winner.cancel('CUSTOMER_REQUEST', NOW);
      await store.commit([write(winner)], cause('cancel-1'));
      stale.markAsPaid('pay_1', NOW);
      const fresh = aNewOrder('order-2');

      // when
      const commit = store.commit([write(fresh), write(stale)], cause('both-1'));

      // then
      await expect(commit).rejects.toThrow(ConcurrencyError);
      expect(await store.load(key('order-2'))).toBeUndefined();
      expect(store.keys()).toEqual([key('order-1')]);
      expect(fresh.version).toBe(0);
      expect(fresh.hasChanges).toBe(true);
      expect(store.committedEvents.map((e) => e.event.type)).toEqual(['order.placed', 'order.cancelled']);
    });

    it('given a cause already applied, when the same causationId is committed again, then it is a duplicate and writes nothing', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const first = await load(store);
      first.markAsPaid('pay_1', NOW);
      await store.commit([write(first)], cause('approval-1'));
      const again = await load(store);
      again.cancel('CUSTOMER_REQUEST', NOW);

      // when
      const result = await store.commit([write(again)], cause('approval-1'));

      // then
      expect(result).toBe('duplicate');
      const stored = await load(store);
      expect(stored.status).toBe('PAID');
      expect(stored.version).toBe(2);
      expect(store.committedEvents.map((e) => e.event.type)).toEqual(['order.placed', 'order.paid']);
      expect(again.version).toBe(2);
      expect(again.hasChanges).toBe(true);
    });

    it('given a command that changed nothing, when committed, then it is unchanged and writes nothing', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const order = await load(store);
      order.cancel('CUSTOMER_REQUEST', NOW);
      await store.commit([write(order)], cause('cancel-1'));
      const reloaded = await load(store);
      reloaded.cancel('CUSTOMER_REQUEST', NOW);

      // when
      const result = await store.commit([write(reloaded)], cause('cancel-2'));

      // then
      expect(result).toBe('unchanged');
      expect((await load(store)).version).toBe(2);
      expect(reloaded.version).toBe(2);
      expect(store.committedEvents).toHaveLength(2);
    });

    it('given a dispatcher, when a commit is rejected as stale or duplicate, then only the events of saved commits are published', async () => {
      // given
      const { store, bus } = aStoreWithBus();
      const published = recordPublished(bus);
      await store.commit([write(aNewOrder())], cause('place-1'));
      const stale = await load(store);
      const winner = await load(store);
      winner.markAsPaid('pay_1', NOW);
      await store.commit([write(winner)], cause('approval-1'));
      stale.cancel('CUSTOMER_REQUEST', NOW);
      const redelivered = await load(store);
      redelivered.cancel('CUSTOMER_REQUEST', NOW);

      // when
      const staleCommit = store.commit([write(stale)], cause('cancel-1'));
      await expect(staleCommit).rejects.toThrow(ConcurrencyError);
      const duplicateCommit = await store.commit([write(redelivered)], cause('approval-1'));
      await bus.settled();

      // then
      expect(duplicateCommit).toBe('duplicate');
      expect(published.map((e) => [e.type, e.causationId])).toEqual([
        ['order.placed', 'place-1'],
        ['order.paid', 'approval-1'],
      ]);
    });
  });

  describe('load', () => {
    it('given nothing stored under a key, when loaded, then it is undefined', async () => {
      // given
      const store = aStore();

      // when
      const record = await store.load(key('unknown'));

      // then
      expect(record).toBeUndefined();
    });

    it('given a stored aggregate, when the loaded state is modified, then the store is unaffected', async () => {
      // given
      const store = await aStoreWithAPlacedOrder();
      const record = await store.load<{ status: string }>(key('order-1'));
      if (!record) throw new Error('order-1 is not stored');

      // when
      record.state.status = 'TAMPERED';

      // then
      expect((await load(store)).status).toBe('PLACED');
    });
  });
});
