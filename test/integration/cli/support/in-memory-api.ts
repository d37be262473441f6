/**
 * The Order API of the in-memory system on 127.0.0.1: the HTTP bridge of the local cloud, with
 * an `invoke` that calls the API handler in this process. No emulator, no Lambda bundle.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createOrderApi } from '../../../../lambdas/order/infrastructure/http-api';
import { startHttpBridge, type HttpBridge } from '../../../../local/cloud/http-bridge';
import { createInMemorySystem, type InMemorySystem, type InMemorySystemOptions } from '../../../../local/in-memory/system';

const FUNCTION = 'OrderApi';
const ROUTES = [
  { method: 'POST', path: '/orders' },
  { method: 'GET', path: '/orders/{orderId}' },
  { method: 'POST', path: '/orders/{orderId}/cancel' },
  { method: 'GET', path: '/orders/{orderId}/events' },
].map((route) => ({ ...route, functionLogicalId: FUNCTION }));

export interface InMemoryApi {
  readonly url: string;
  readonly system: InMemorySystem;
  stop(): Promise<void>;
}

export async function startInMemoryApi(options: InMemorySystemOptions = {}): Promise<InMemoryApi> {
  const system = await createInMemorySystem(options);
  const handler = createOrderApi(system.orders);
  const bridge: HttpBridge = await startHttpBridge({ routes: ROUTES, invoke: async (_fn, event) => handler(event as APIGatewayProxyEventV2) });
  return {
    url: bridge.url,
    system,
    stop: async () => {
      await bridge.stop();
      await system.bus.settled();
    },
  };
}
