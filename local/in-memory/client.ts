import { toOrderView, toTimelineEntry } from '../../lambdas/order/application/order-view';
import type { OrderClient } from '../demo';
import type { InMemorySystem } from './system';

/** The demo's client over the in-memory services (no HTTP in between). */
export function inMemoryClient(system: InMemorySystem): OrderClient {
  const { orders } = system;
  return {
    place: async (request) => toOrderView(await orders.placeOrder(request)),
    get: async (orderId) => toOrderView(await orders.getOrder(orderId)),
    cancel: async (orderId) => toOrderView(await orders.cancelOrder(orderId)),
    timeline: async (orderId) => (await orders.getTimeline(orderId)).map(toTimelineEntry),
  };
}
