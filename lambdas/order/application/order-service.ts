import type { OrderLine } from '../../shared/events/catalogue';
import { causedBy, type AnyEnvelope, type Envelope, type Trace } from '../../shared/events/envelope';
import { idFrom, type Clock, type IdGenerator } from '../../shared/application/ports';
import { retryOnConcurrencyError } from '../../shared/application/retry';
import { silentLogger, eventFields, type Logger } from '../../shared/logger';
import { OrderTransitionError } from '../domain/errors';
import { Order, type OrderState } from '../domain/order';
import type { OrderRepository, RecentOrders } from './order-repository';
import type { TimelineReader } from './timeline';

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor(readonly orderId: string) {
    super(`order ${orderId} does not exist`);
  }
}

/** The most orders one list answers: a page for people, not an export. */
export const MAX_RECENT_ORDERS = 100;

export interface PlaceOrderCommand {
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly currency?: string;
  /** Correlation id to start the order's thread with (for instance a request's); new if absent. */
  readonly correlationId?: string;
  /**
   * What caused the command: a request id, or the client's idempotency key. Placing again with
   * the same one places nothing new and answers the order the first call placed.
   */
  readonly commandId?: string;
}

export interface OrderServiceDeps {
  readonly orders: OrderRepository;
  readonly timelines?: TimelineReader;
  readonly recentOrders?: RecentOrders;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: Logger;
}

/**
 * The Order context's application services: each loads the order, asks the aggregate to
 * decide, and saves it (state and events together). None of them publishes: events leave
 * through the dispatcher, after the save.
 */
export class OrderService {
  private readonly logger: Logger;

  constructor(private readonly deps: OrderServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  async placeOrder(command: PlaceOrderCommand): Promise<OrderState> {
    const commandId = command.commandId ?? this.deps.ids();
    const orderId = command.commandId === undefined ? this.deps.ids() : idFrom(`order:${command.commandId}`);
    const correlationId = command.correlationId ?? this.deps.ids();
    const order = Order.place({
      orderId,
      customerId: command.customerId,
      lines: command.lines,
      currency: command.currency,
      correlationId,
      now: this.deps.clock(),
    });
    const result = await this.deps.orders.save(order, { correlationId, causationId: commandId });
    return result === 'duplicate' ? this.getOrder(orderId) : order.state;
  }

  async getOrder(orderId: string): Promise<OrderState> {
    return (await this.load(orderId)).state;
  }

  /** Every event of the order's thread, across contexts, causes before effects. */
  async getTimeline(orderId: string): Promise<AnyEnvelope[]> {
    const order = await this.load(orderId);
    if (!this.deps.timelines) throw new Error('no timeline reader configured');
    return this.deps.timelines.timeline(order.state.correlationId);
  }

  /** The newest orders first, at most `limit` (capped at {@link MAX_RECENT_ORDERS}). */
  async listRecentOrders(limit: number): Promise<OrderState[]> {
    if (!this.deps.recentOrders) throw new Error('no recent-orders reader configured');
    return this.deps.recentOrders.recent(Math.min(Math.max(0, limit), MAX_RECENT_ORDERS), this.deps.clock());
  }

  /** The customer cancels. Refused (409) once stock is reserved. */
  async cancelOrder(orderId: string, commandId: string = this.deps.ids()): Promise<OrderState> {
    return this.change(orderId, (order) => order.cancel('CUSTOMER_REQUEST', this.deps.clock()), (order) => ({
      correlationId: order.state.correlationId,
      causationId: commandId,
    }));
  }

  /** `payment.approved` → `markAsPaid(paymentId)`. A late approval of a cancelled order is ignored: Payment refunds it. */
  async confirmPayment(event: Envelope<'payment.approved'>): Promise<void> {
    await this.react(event, (order) => order.markAsPaid(event.data.paymentId, this.deps.clock()), ['CANCELLED']);
  }

  /** `payment.declined` → cancel with `PAYMENT_DECLINED`. */
  async cancelOnPaymentDeclined(event: Envelope<'payment.declined'>): Promise<void> {
    await this.react(event, (order) => order.cancel('PAYMENT_DECLINED', this.deps.clock()));
  }

  /** `stock.reserved` → `applyStockReserved()`. Late for a cancelled order: ignored, Inventory releases it. */
  async applyStockReserved(event: Envelope<'stock.reserved'>): Promise<void> {
    await this.react(event, (order) => order.applyStockReserved(this.deps.clock()), ['CANCELLED']);
  }

  /** `stock.reservation-failed` → cancel with `OUT_OF_STOCK` (Payment then refunds). */
  async cancelOnReservationFailed(event: Envelope<'stock.reservation-failed'>): Promise<void> {
    await this.react(event, (order) => order.cancel('OUT_OF_STOCK', this.deps.clock()));
  }

  private async react(
    event: Envelope<'payment.approved' | 'payment.declined' | 'stock.reserved' | 'stock.reservation-failed'>,
    decide: (order: Order) => void,
    ignoreWhen: readonly Order['status'][] = [],
  ): Promise<void> {
    const log = this.logger.child(eventFields(event));
    try {
      await this.change(event.data.orderId, decide, () => causedBy(event));
    } catch (error) {
      if (error instanceof OrderTransitionError && ignoreWhen.includes(error.status)) {
        log.info('event ignored: order already moved on', { orderId: event.data.orderId, status: error.status });
        return;
      }
      throw error;
    }
  }

  private async change(orderId: string, decide: (order: Order) => void, trace: (order: Order) => Trace): Promise<OrderState> {
    return retryOnConcurrencyError(orderId, async () => {
      const order = await this.load(orderId);
      decide(order);
      await this.deps.orders.save(order, trace(order));
      return order.state;
    });
  }

  private async load(orderId: string): Promise<Order> {
    const order = await this.deps.orders.get(orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    return order;
  }
}
