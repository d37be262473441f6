/**
 * The whole system in one process: the three contexts and the event log on the in-memory bus,
 * each context with its own store, dispatcher and application services, exactly as they are
 * wired in Lambda, minus AWS.
 */
import { EVENT_TYPES, type ContextName, type EventType } from '../../lambdas/shared/events/catalogue';
import type { AnyEnvelope } from '../../lambdas/shared/events/envelope';
import { EventDispatcher } from '../../lambdas/shared/event-bus/dispatcher';
import type { EventHandler } from '../../lambdas/shared/event-bus/event-bus';
import { InMemoryEventBus, type InMemoryEventBusOptions } from '../../lambdas/shared/event-bus/in-memory-event-bus';
import { subscribeReactions } from '../../lambdas/shared/event-bus/subscribe';
import { InMemoryEventLog } from '../../lambdas/shared/event-log/event-log';
import { InMemoryStore } from '../../lambdas/shared/infrastructure/in-memory-store';
import { prefixedIds, randomIds, systemClock, type Clock, type IdGenerator } from '../../lambdas/shared/application/ports';
import { silentLogger, type Logger } from '../../lambdas/shared/logger';
import { OrderService } from '../../lambdas/order/application/order-service';
import { orderReactions } from '../../lambdas/order/application/reactions';
import { StoredOrderRepository, StoredRecentOrders } from '../../lambdas/order/infrastructure/stored-order-repository';
import { PaymentService } from '../../lambdas/payment/application/payment-service';
import { paymentReactions } from '../../lambdas/payment/application/reactions';
import { StoredPaymentRepository } from '../../lambdas/payment/infrastructure/stored-payment-repository';
import { InventoryService } from '../../lambdas/inventory/application/inventory-service';
import { inventoryReactions } from '../../lambdas/inventory/application/reactions';
import { StoredInventoryRepository } from '../../lambdas/inventory/infrastructure/stored-inventory-repository';
import { DEMO_STOCK } from '../../lambdas/inventory/domain/demo-catalogue';

export interface InMemorySystemOptions extends InMemoryEventBusOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly logger?: Logger;
  /** Largest total Payment approves, in cents. */
  readonly paymentLimit?: number;
  /** Each SKU's stock before anything is stored (default: the demo catalogue), as in AWS. */
  readonly stock?: Readonly<Record<string, number>>;
  /** Simulated latency of a context's consumers, in ms (a slow warehouse, say). */
  readonly consumerDelayMs?: Partial<Record<ContextName, number>>;
  /** Wraps a context's handler of an event: the hook for injected faults in tests. */
  readonly decorate?: (context: ContextName, eventName: EventType, handler: EventHandler) => EventHandler;
}

export async function createInMemorySystem(options: InMemorySystemOptions = {}) {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const logger = options.logger ?? silentLogger;
  const bus = new InMemoryEventBus(options);
  const eventLog = new InMemoryEventLog();
  const store = (source: ContextName) => new InMemoryStore({ source, dispatcher: new EventDispatcher(bus), clock, ids });
  const stores = { order: store('order'), payment: store('payment'), inventory: store('inventory') };

  // The event log subscribes to every topic; no publisher knows or cares.
  for (const type of EVENT_TYPES) bus.subscribe(type, (event) => eventLog.append(event as AnyEnvelope), { name: `event-log:${type}` });

  const orders = new OrderService({
    orders: new StoredOrderRepository(stores.order),
    timelines: eventLog,
    recentOrders: new StoredRecentOrders(stores.order),
    clock,
    ids,
    logger: logger.child({ context: 'order' }),
  });
  const payments = new PaymentService({
    payments: new StoredPaymentRepository(stores.payment),
    clock,
    ids: prefixedIds('pay', ids),
    limit: options.paymentLimit,
    logger: logger.child({ context: 'payment' }),
  });
  const inventory = new InventoryService({
    inventory: new StoredInventoryRepository(stores.inventory, options.stock ?? DEMO_STOCK),
    clock,
    ids: prefixedIds('res', ids),
    logger: logger.child({ context: 'inventory' }),
  });

  const wire = <T extends EventType>(context: ContextName, reactions: { readonly [K in T]: EventHandler<K> }) => {
    const decorated = Object.fromEntries(
      Object.entries(reactions).map(([type, handler]) => [
        type,
        options.decorate ? options.decorate(context, type as EventType, handler as EventHandler) : handler,
      ]),
    ) as unknown as { readonly [K in T]: EventHandler<K> };
    subscribeReactions(bus, context, decorated, () => ({ delayMs: options.consumerDelayMs?.[context] ?? 0 }));
  };
  wire('order', orderReactions(orders));
  wire('payment', paymentReactions(payments));
  wire('inventory', inventoryReactions(inventory));

  return { bus, eventLog, stores, orders, payments, inventory };
}

export type InMemorySystem = Awaited<ReturnType<typeof createInMemorySystem>>;
