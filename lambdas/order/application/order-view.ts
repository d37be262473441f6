import type { AnyEnvelope } from '../../shared/events/envelope';
import type { OrderState } from '../domain/order';

/** An order as the API shows it. */
export type OrderView = Omit<OrderState, never>;

export function toOrderView(state: OrderState): OrderView {
  return { ...state };
}

/** One step of an order's timeline, as the API shows it. */
export interface TimelineEntry {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  /** The context that published it. */
  readonly context: string;
  readonly occurredAt: string;
  readonly causationId: string;
  readonly data: unknown;
}

export function toTimelineEntry(event: AnyEnvelope): TimelineEntry {
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    context: event.source,
    occurredAt: event.occurredAt,
    causationId: event.causationId,
    data: event.data,
  };
}
