/**
 * The API fuzz's request generator: seeded, every category drawn, and every request it makes is
 * one the Order API refuses as the generator says (checked here on the handler in process; the
 * reliability scenario sends them through the local cloud).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createOrderApi } from '../../../lambdas/order/infrastructure/http-api';
import { OrderService } from '../../../lambdas/order/application/order-service';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { FUZZ_CATEGORIES, GATEWAY_BODY_LIMIT, fuzzRequests, type FuzzRequest } from '../../reliability/support/request-fuzzer';
import { httpEvent } from '../../support/http-events';

const summary = (r: FuzzRequest) => `${r.category} ${r.method} ${r.path.slice(0, 200)} ${r.what} ${r.body?.subarray(0, 200).toString('base64') ?? ''}`;

describe('request fuzzer', () => {
  it('makes the same requests from the same seed, and others from another seed', () => {
    // when
    const first = [...fuzzRequests(42, { count: 300 })].map(summary);
    const again = [...fuzzRequests(42, { count: 300 })].map(summary);
    const other = [...fuzzRequests(43, { count: 300 })].map(summary);
    // then
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('draws every category, and expects only 4xx answers', () => {
    // when
    const requests = [...fuzzRequests(7, { count: 3000, hugeBodies: 0 })];
    // then
    expect(requests).toHaveLength(3000);
    const counts = new Map<string, number>();
    for (const request of requests) counts.set(request.category, (counts.get(request.category) ?? 0) + 1);
    expect(Math.min(...FUZZ_CATEGORIES.map((c) => counts.get(c) ?? 0))).toBeGreaterThan(50);
    const statuses = new Set(requests.flatMap((r) => r.expected.statuses));
    expect([...statuses].every((status) => status >= 400 && status < 500)).toBe(true);
  });

  it('sends a few bodies of megabytes, some past API Gateway\'s 10 MB limit and none past 11.5 MB', () => {
    // when
    const huge = [...fuzzRequests(9, { count: 60, hugeBodies: 6 })].filter((r) => (r.body?.length ?? 0) >= 1024 * 1024);
    // then
    expect(huge).toHaveLength(6);
    expect(huge.every((r) => r.expected.statuses.join() === '413')).toBe(true);
    expect(huge.filter((r) => (r.body?.length ?? 0) > GATEWAY_BODY_LIMIT).length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...huge.map((r) => r.body?.length ?? 0))).toBeLessThan(11.5 * 1024 * 1024);
  });

  it('makes only requests the Order API refuses with the status and field it expects, and nothing is written', async () => {
    // given: the handler on an in-memory store
    const store = new InMemoryStore({ source: 'order' });
    const api = createOrderApi(new OrderService({ orders: new StoredOrderRepository(store), clock: () => new Date(), ids: () => `id-${Math.random()}` }));
    const requests = [...fuzzRequests(11, { count: 2000, hugeBodies: 0 })];
    // when
    const wrong: string[] = [];
    for (const request of requests) {
      const event = asGatewayWouldSend(request);
      if (!event) continue; // a path the gateway itself refuses
      const result = await api(event);
      const status = result.statusCode ?? 0;
      const issues = status === 400 ? ((JSON.parse(result.body ?? '{}') as { issues?: { field: string }[] }).issues ?? []) : [];
      const fieldNamed = request.expected.field === undefined || status !== 400 || issues.some((issue) => issue.field === request.expected.field);
      if (!request.expected.statuses.includes(status) || !fieldNamed) wrong.push(`${status} ${JSON.stringify(issues)} for ${request.category}: ${request.what}`);
    }
    // then
    expect(wrong).toEqual([]);
    expect(store.committedEvents).toHaveLength(0);
  });
});

/** The HTTP API (payload 2.0) event API Gateway would hand the function, or undefined if the gateway answers itself. */
function asGatewayWouldSend(request: FuzzRequest): APIGatewayProxyEventV2 | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.path, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  const event = httpEvent(request.method, path, undefined, { ...request.headers });
  if (!request.headers['content-type']) delete event.headers['content-type'];
  if (!request.body || request.body.length === 0) return event;
  const text = request.body.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(request.body);
  return { ...event, body: isText ? text : request.body.toString('base64'), isBase64Encoded: !isText };
}
