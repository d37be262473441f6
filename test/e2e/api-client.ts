/**
 * The end-to-end suite's only way in: HTTP to the Order API, wherever it runs (the local
 * cloud started by the suite, or any deployed stack named by E2E_API_URL).
 */
import { pollUntil } from '../../local/demo';

export const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS ?? 30_000);

export function apiUrl(): string {
  const url = process.env.E2E_API_URL;
  if (!url) throw new Error('E2E_API_URL is not set: the e2e global setup starts the local cloud and sets it');
  return url.replace(/\/$/, '');
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface Order {
  orderId: string;
  status: string;
  total: number;
  paymentId?: string;
  cancellationReason?: string;
  correlationId: string;
}

export interface TimelineEvent {
  id: string;
  type: string;
  context: string;
  causationId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export async function placeOrder(body: unknown, headers?: Record<string, string>): Promise<Order> {
  const answer = await call<Order>('POST', '/orders', body, headers);
  if (answer.status !== 201) throw new Error(`POST /orders answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function getOrder(orderId: string): Promise<Order> {
  return (await call<Order>('GET', `/orders/${orderId}`)).body;
}

export async function timeline(orderId: string): Promise<TimelineEvent[]> {
  return (await call<{ events: TimelineEvent[] }>('GET', `/orders/${orderId}/events`)).body.events;
}

/** Polls the order until `done` holds, failing with the last state seen at the deadline. */
export function orderUntil(orderId: string, done: (order: Order) => boolean): Promise<Order> {
  return pollUntil(() => getOrder(orderId), done, Date.now() + DEADLINE_MS, 25);
}

/**
 * Polls the timeline until it holds every type in `types`. The event log hears each topic on a
 * queue of its own, so a later step can be logged before an earlier one: wait for all of them.
 */
export function timelineWith(orderId: string, types: readonly string[]): Promise<TimelineEvent[]> {
  return pollUntil(() => timeline(orderId), (events) => types.every((t) => events.some((e) => e.type === t)), Date.now() + DEADLINE_MS, 50);
}
