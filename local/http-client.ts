import type { OrderView, TimelineEntry } from '../lambdas/order/application/order-view';
import type { OrderClient, PlaceOrderRequest } from './demo';

/** The demo's client over HTTP: the local cloud's bridge, or any deployed stack's API URL. */
export function httpClient(baseUrl: string): OrderClient {
  const base = baseUrl.replace(/\/$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  return {
    place: (request: PlaceOrderRequest) => call<OrderView>('POST', '/orders', request),
    get: (orderId) => call<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`),
    cancel: (orderId) => call<OrderView>('POST', `/orders/${encodeURIComponent(orderId)}/cancel`),
    timeline: async (orderId) => (await call<{ events: TimelineEntry[] }>('GET', `/orders/${encodeURIComponent(orderId)}/events`)).events,
  };
}
