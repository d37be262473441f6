/** The HTTP bridge: template routes on 127.0.0.1, requests as HTTP API v2 events, answers back as HTTP. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startHttpBridge, type HttpBridge } from '../../../local/cloud/http-bridge';

describe('HTTP bridge', () => {
  let bridge: HttpBridge;
  const seen: { fn: string; event: APIGatewayProxyEventV2 }[] = [];

  beforeAll(async () => {
    bridge = await startHttpBridge({
      routes: [
        { method: 'POST', path: '/orders', functionLogicalId: 'Api' },
        { method: 'GET', path: '/orders/{orderId}', functionLogicalId: 'Api' },
        { method: 'GET', path: '/boom', functionLogicalId: 'Broken' },
      ],
      invoke: async (fn, event) => {
        if (fn === 'Broken') throw new Error('handler crashed');
        seen.push({ fn, event: event as APIGatewayProxyEventV2 });
        return { statusCode: 201, headers: { 'content-type': 'application/json', location: '/orders/1' }, body: '{"ok":true}' };
      },
    });
  });
  afterAll(() => bridge.stop());
  beforeEach(() => {
    seen.length = 0;
  });

  it('listens on 127.0.0.1 only', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('turns a request into an HTTP API v2 event and the result into the response', async () => {
    // when
    const response = await fetch(`${bridge.url}/orders?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Correlation-Id': 'abc' },
      body: '{"customerId":"c"}',
    });
    // then
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/orders/1');
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      rawQueryString: 'x=1',
      queryStringParameters: { x: '1' },
      headers: expect.objectContaining({ 'x-correlation-id': 'abc' }),
      body: '{"customerId":"c"}',
      isBase64Encoded: false,
      requestContext: expect.objectContaining({ http: expect.objectContaining({ method: 'POST', path: '/orders' }), stage: '$default' }),
    });
  });

  it('fills path parameters from the route template', async () => {
    await fetch(`${bridge.url}/orders/abc%20d`);
    expect(seen[0]?.event.pathParameters).toEqual({ orderId: 'abc d' });
    expect(seen[0]?.event.routeKey).toBe('GET /orders/{orderId}');
  });

  it('decodes the path before it matches a route, as API Gateway does: rawPath is decoded, and %2F is a slash', async () => {
    // when
    const decoded = await fetch(`${bridge.url}/orders/abc%20d`);
    const slash = await fetch(`${bridge.url}/orders/a%2Fb`);
    // then
    expect(decoded.status).toBe(201);
    expect(seen[0]?.event).toMatchObject({ rawPath: '/orders/abc d', requestContext: expect.objectContaining({ http: expect.objectContaining({ path: '/orders/abc d' }) }) });
    expect(slash.status).toBe(404);
    expect(seen).toHaveLength(1);
  });

  it('answers 404, not 500, for a path that does not decode, without invoking anything', async () => {
    // when
    const responses = await Promise.all(['/orders/%E0%A4%A', '/orders/%', '/orders/%ZZ'].map((path) => fetch(`${bridge.url}${path}`)));
    // then
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(seen).toEqual([]);
  });

  it('answers 413 for a body over API Gateway\'s 10 MB limit, without invoking anything', async () => {
    // when
    const response = await fetch(`${bridge.url}/orders`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) });
    // then
    expect(response.status).toBe(413);
    expect(seen).toEqual([]);
  });

  it('answers 404 for a route or method the template does not have, without invoking anything', async () => {
    expect((await fetch(`${bridge.url}/customers`)).status).toBe(404);
    expect((await fetch(`${bridge.url}/orders`, { method: 'DELETE' })).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('answers 500 when the function fails, as API Gateway does', async () => {
    const response = await fetch(`${bridge.url}/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });
});
