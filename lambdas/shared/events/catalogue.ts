/**
 * The event catalogue: the contract between bounded contexts, and the only code they share.
 *
 * Each event's name (which is also its SNS topic), current version, producer, consumers and
 * schema are defined here once. CDK builds one topic per entry, producers validate against the
 * schema before publishing, consumers validate on receipt, and older versions are upcast.
 */
import * as z from 'zod/mini';

export const CONTEXTS = ['order', 'payment', 'inventory'] as const;
export type ContextName = (typeof CONTEXTS)[number];

const MAX_ID_LENGTH = 128;
const id = z.string().check(z.minLength(1), z.maxLength(MAX_ID_LENGTH));
/** Money is always an integer number of cents (or the currency's minor unit). */
const cents = z.int().check(z.nonnegative(), z.lte(Number.MAX_SAFE_INTEGER));
const currency = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code'));
/** Upper-case letters, digits and dashes: `BOOK-DDD`, `SOLD-OUT`. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
const sku = z.string().check(z.regex(SKU_PATTERN, 'must be 1-64 upper-case letters, digits or dashes'));
const orderLine = z.object({ sku, quantity: z.int().check(z.positive(), z.lte(10_000)), unitPrice: cents });
const reservedLine = z.object({ sku, quantity: z.int().check(z.positive()) });

export const CANCELLATION_REASONS = ['CUSTOMER_REQUEST', 'PAYMENT_DECLINED', 'OUT_OF_STOCK'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const orderLineSchema = orderLine;
export type OrderLine = z.infer<typeof orderLine>;

/** Turns the data of version `n` into the shape of version `n + 1`. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface EventDefinition<S extends z.ZodMiniType = z.ZodMiniType> {
  readonly version: number;
  readonly producer: ContextName;
  readonly consumers: readonly ContextName[];
  readonly description: string;
  readonly schema: S;
  /** Keyed by the version they read: `upcasters[1]` turns v1 data into v2 data. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

const define = <S extends z.ZodMiniType>(definition: EventDefinition<S>): EventDefinition<S> => definition;

export const catalogue = {
  'order.placed': define({
    version: 2,
    producer: 'order',
    consumers: ['payment'],
    description: 'A customer placed an order; payment has not been taken yet.',
    schema: z.object({ orderId: id, customerId: id, lines: z.array(orderLine).check(z.minLength(1)), total: cents, currency }),
    // Version 1 had no currency: every order was in euros.
    upcasters: { 1: (data) => ({ ...data, currency: 'EUR' }) },
  }),
  'order.paid': define({
    version: 1,
    producer: 'order',
    consumers: ['inventory'],
    description: 'The payment of an order was confirmed; its stock can be reserved.',
    schema: z.object({ orderId: id, paymentId: id, lines: z.array(orderLine).check(z.minLength(1)) }),
  }),
  'order.cancelled': define({
    version: 1,
    producer: 'order',
    consumers: ['payment', 'inventory'],
    description: 'An order was cancelled; money taken is refunded and reserved stock released.',
    schema: z.object({ orderId: id, reason: z.enum(CANCELLATION_REASONS), paymentId: z.optional(id) }),
  }),
  'payment.approved': define({
    version: 1,
    producer: 'payment',
    consumers: ['order'],
    description: 'The payment of an order was taken.',
    schema: z.object({ orderId: id, paymentId: id, amount: cents, currency }),
  }),
  'payment.declined': define({
    version: 1,
    producer: 'payment',
    consumers: ['order'],
    description: 'The payment of an order was refused.',
    schema: z.object({ orderId: id, reason: z.string().check(z.minLength(1), z.maxLength(256)) }),
  }),
  'payment.refunded': define({
    version: 1,
    producer: 'payment',
    consumers: [],
    description: 'Money taken for a cancelled order was given back (audit only).',
    schema: z.object({ orderId: id, paymentId: id, amount: cents, currency }),
  }),
  'stock.reserved': define({
    version: 1,
    producer: 'inventory',
    consumers: ['order'],
    description: 'Stock for every line of a paid order was reserved.',
    schema: z.object({ orderId: id, reservationId: id, lines: z.array(reservedLine).check(z.minLength(1)) }),
  }),
  'stock.reservation-failed': define({
    version: 1,
    producer: 'inventory',
    consumers: ['order'],
    description: 'Stock for a paid order could not be reserved; nothing was reserved.',
    schema: z.object({
      orderId: id,
      reason: z.literal('OUT_OF_STOCK'),
      skus: z.array(sku).check(z.minLength(1)),
    }),
  }),
} as const;

export type Catalogue = typeof catalogue;
export type EventType = keyof Catalogue;
export type EventData<T extends EventType> = z.infer<Catalogue[T]['schema']>;

export const EVENT_TYPES = Object.keys(catalogue) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(catalogue, value);
}

/** The events a context publishes. */
export function eventsProducedBy(context: ContextName): EventType[] {
  return EVENT_TYPES.filter((type) => catalogue[type].producer === context);
}

/** The events a context subscribes to. */
export function eventsConsumedBy(context: ContextName): EventType[] {
  return EVENT_TYPES.filter((type) => (catalogue[type].consumers as readonly ContextName[]).includes(context));
}
