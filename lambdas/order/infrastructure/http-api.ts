/**
 * The Order HTTP API (API Gateway HTTP API, payload format 2.0): routes, request validation
 * and the mapping of outcomes to status codes. Bad input is a 400 that names each field at
 * fault, and nothing is written. It also serves the event-flow explorer, a page that reads
 * this same API from the same origin (so no CORS, and it deploys with the stack).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { orderLineSchema } from '../../shared/events/catalogue';
import { toFieldIssues, type FieldIssue } from '../../shared/events/validation';
import { ConflictError } from '../../shared/application/errors';
import { silentLogger, type Logger } from '../../shared/logger';
import { InvalidOrderError, OrderTransitionError, PaymentMismatchError } from '../domain/errors';
import { MAX_LINES } from '../domain/order';
import { MAX_RECENT_ORDERS, OrderNotFoundError, type OrderService } from '../application/order-service';
import { toOrderView, toTimelineEntry } from '../application/order-view';
import { explorerPage } from './explorer/page';

/** Larger bodies are refused before parsing (413). */
export const MAX_BODY_BYTES = 64 * 1024;
/** How many orders `GET /orders` answers when no `limit` is given. */
export const DEFAULT_LIST_LIMIT = 20;
const ORDER_ID = /^[A-Za-z0-9_-]{1,128}$/;
const HEADER_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const placeOrderBody = z.strictObject({
  customerId: z.string().check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^\S(.*\S)?$/, 'must not start or end with spaces'),
    // Not storable as UTF-8 (DynamoDB, SNS) or not printable: an id no one could type or read back.
    z.regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters or unpaired surrogates'),
  ),
  // Unknown fields are refused in a line as at the root, not silently dropped.
  lines: z.array(z.strictObject(orderLineSchema.shape)).check(z.minLength(1), z.maxLength(MAX_LINES)),
  currency: z.optional(z.string().check(z.refine((code) => CURRENCIES.has(code), 'must be a three-letter ISO 4217 code'))),
});

type Result = APIGatewayProxyStructuredResultV2;
type Route = (request: { event: APIGatewayProxyEventV2; orderId?: string; log: Logger }) => Promise<Result>;

export function createOrderApi(service: OrderService, logger: Logger = silentLogger) {
  const routes: { method: string; pattern: RegExp; run: Route }[] = [
    {
      method: 'POST',
      pattern: /^\/orders$/,
      run: async ({ event }) => {
        const body = parseBody(event);
        const parsed = placeOrderBody.safeParse(body);
        if (!parsed.success) return badRequest(toFieldIssues(parsed.error, body));
        const idempotencyKey = idempotencyKeyOf(event);
        const order = await service.placeOrder({
          ...parsed.data,
          correlationId: headerId(event, 'x-correlation-id'),
          // A client retrying after a timeout sends the same Idempotency-Key and gets the same
          // order; the key is the customer's own, so two customers never share one.
          commandId: idempotencyKey === undefined ? event.requestContext.requestId : `${parsed.data.customerId}:${idempotencyKey}`,
        });
        return json(201, toOrderView(order), { Location: `/orders/${order.orderId}` });
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders$/,
      run: async ({ event }) => {
        const orders = await service.listRecentOrders(listLimit(event));
        return json(200, { orders: orders.map(toOrderView) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders\/([^/]+)$/,
      run: async ({ orderId }) => json(200, toOrderView(await service.getOrder(orderId as string))),
    },
    {
      method: 'POST',
      pattern: /^\/orders\/([^/]+)\/cancel$/,
      run: async ({ event, orderId }) => json(200, toOrderView(await service.cancelOrder(orderId as string, event.requestContext.requestId))),
    },
    {
      method: 'GET',
      pattern: /^\/orders\/([^/]+)\/events$/,
      run: async ({ orderId }) => {
        const timeline = await service.getTimeline(orderId as string);
        return json(200, { orderId, events: timeline.map(toTimelineEntry) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/explorer$/,
      run: async () => {
        const page = explorerPage();
        return { statusCode: 200, headers: { ...page.headers }, body: page.html };
      },
    },
    {
      method: 'GET',
      pattern: /^\/$/,
      // Relative, so that it also lands on the page behind a stage or a base path.
      run: async () => ({ statusCode: 302, headers: { Location: 'explorer' }, body: '' }),
    },
  ];

  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    const log = logger.child({ requestId: event.requestContext.requestId, method, path });
    const matching = routes.filter((route) => route.pattern.test(path));
    const route = matching.find((r) => r.method === method);
    if (!route) {
      return matching.length > 0
        ? json(405, { error: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}` }, { Allow: matching.map((r) => r.method).join(', ') })
        : json(404, { error: 'NOT_FOUND', message: `no route for ${method} ${path}` });
    }
    // API Gateway has already decoded the path: decoding it again would read `%41` as `A`.
    const orderId = route.pattern.exec(path)?.[1];
    if (orderId !== undefined && !ORDER_ID.test(orderId)) {
      return badRequest([{ field: 'orderId', problem: 'must be 1-128 letters, digits, dashes or underscores' }]);
    }
    try {
      return await route.run({ event, orderId, log });
    } catch (error) {
      return toErrorResult(error, log);
    }
  };
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly issues: FieldIssue[],
  ) {
    super(issues.map((i) => `${i.field} ${i.problem}`).join('; '));
  }
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === '') throw new BadRequest(400, [{ field: 'body', problem: 'is required (a JSON object)' }]);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new BadRequest(413, [{ field: 'body', problem: `must be at most ${MAX_BODY_BYTES} bytes` }]);
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest(400, [{ field: 'body', problem: 'is not valid JSON' }]);
  }
}

/** `?limit=N`: a whole number from 1 to {@link MAX_RECENT_ORDERS}; {@link DEFAULT_LIST_LIMIT} if absent. */
function listLimit(event: APIGatewayProxyEventV2): number {
  const raw = event.queryStringParameters?.limit;
  if (raw === undefined) return DEFAULT_LIST_LIMIT;
  const limit = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_RECENT_ORDERS)) {
    throw new BadRequest(400, [{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_RECENT_ORDERS}` }]);
  }
  return limit;
}

/** The client's Idempotency-Key. A malformed one is refused: ignoring it would let a retry place a second order. */
function idempotencyKeyOf(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key !== undefined && !HEADER_ID.test(key)) {
    throw new BadRequest(400, [{ field: 'Idempotency-Key', problem: 'must be 1-128 letters, digits, dots, colons, dashes or underscores' }]);
  }
  return key;
}

/** An id-like header (the correlation id); anything else is ignored. */
function headerId(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const header = event.headers?.[name];
  return header !== undefined && HEADER_ID.test(header) ? header : undefined;
}

function toErrorResult(error: unknown, log: Logger): Result {
  if (error instanceof BadRequest) return badRequest(error.issues, error.status);
  if (error instanceof InvalidOrderError) return badRequest([{ field: error.field, problem: error.problem }]);
  if (error instanceof OrderNotFoundError) return json(404, { error: 'ORDER_NOT_FOUND', message: error.message });
  if (error instanceof OrderTransitionError || error instanceof PaymentMismatchError) {
    return json(409, { error: error.code, message: error.message });
  }
  if (error instanceof ConflictError) return json(409, { error: 'CONCURRENT_UPDATE', message: error.message });
  log.error('request failed', { error });
  return json(500, { error: 'INTERNAL_ERROR', message: 'the request could not be completed; it is safe to retry' });
}

function badRequest(issues: FieldIssue[], status = 400): Result {
  const error = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED';
  return json(status, { error, message: issues.map((i) => `${i.field} ${i.problem}`).join('; '), issues });
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
