/**
 * The Order API over HTTP, for the CLI: answers are parsed (not trusted), and every failure is
 * an error that says which request failed and why, in the API's own words when it gave some.
 */
import * as z from 'zod/mini';
import { ORDER_STATUSES, type OrderLineInput } from './args';

const orderSchema = z.looseObject({
  orderId: z.string(),
  customerId: z.string(),
  status: z.enum(ORDER_STATUSES),
  lines: z.array(z.looseObject({ sku: z.string(), quantity: z.number(), unitPrice: z.number() })),
  currency: z.string(),
  total: z.number(),
  paymentId: z.optional(z.string()),
  cancellationReason: z.optional(z.string()),
  correlationId: z.optional(z.string()),
  placedAt: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
});
export type Order = z.infer<typeof orderSchema>;

const timelineEntrySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  version: z.number(),
  context: z.string(),
  occurredAt: z.string(),
  causationId: z.string(),
  data: z.unknown(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
const timelineSchema = z.looseObject({ events: z.array(timelineEntrySchema) });

const errorBodySchema = z.looseObject({ error: z.optional(z.string()), message: z.optional(z.string()) });

/** The API answered with an error status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly request: string,
    readonly status: number,
    /** The API's error code (`TRANSITION_REJECTED`, `VALIDATION_FAILED`, …), if it sent one. */
    readonly code: string | undefined,
    readonly detail: string,
  ) {
    super(`${request} answered ${status}${code ? ` ${code}` : ''}: ${detail}`);
  }
}

/** The API could not be reached, or answered something that is not the API's answer. */
export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError';
}

export interface PlaceOrderInput {
  readonly customerId: string;
  readonly lines: readonly OrderLineInput[];
  readonly currency: string;
  readonly idempotencyKey?: string;
}

export interface OrdersApi {
  readonly baseUrl: string;
  place(input: PlaceOrderInput): Promise<Order>;
  get(orderId: string): Promise<Order>;
  cancel(orderId: string): Promise<Order>;
  timeline(orderId: string): Promise<TimelineEntry[]>;
}

export interface OrdersApiOptions {
  /** Says where the URL came from, for "cannot reach" errors. */
  readonly source?: string;
  readonly requestTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export function ordersApi(baseUrl: string, options: OrdersApiOptions = {}): OrdersApi {
  const base = baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  async function call<T>(method: string, path: string, schema: z.ZodMiniType<T>, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const request = `${method} ${path}`;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const from = options.source ? ` (from ${options.source})` : '';
      throw new ApiUnavailableError(`cannot reach the Order API at ${base}${from}: ${networkReason(error, timeoutMs)}`);
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) {
      const parsed = errorBodySchema.safeParse(json);
      const detail = parsed.success && parsed.data.message ? parsed.data.message : text.trim().slice(0, 300) || response.statusText;
      throw new ApiError(request, response.status, parsed.success ? parsed.data.error : undefined, detail);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiUnavailableError(`${request} answered ${response.status} with something that is not the Order API's answer: ${text.slice(0, 200)}`);
    }
    return parsed.data;
  }

  const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;
  return {
    baseUrl: base,
    place: ({ idempotencyKey, ...order }) =>
      call('POST', '/orders', orderSchema, order, idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    get: (orderId) => call('GET', orderPath(orderId), orderSchema),
    cancel: (orderId) => call('POST', `${orderPath(orderId)}/cancel`, orderSchema),
    timeline: async (orderId) => (await call('GET', `${orderPath(orderId)}/events`, timelineSchema)).events,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
}
