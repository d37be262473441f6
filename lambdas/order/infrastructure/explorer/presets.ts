/**
 * The orders the explorer places with one click, one down each path of the lifecycle. They
 * are the demo's own orders (local/demo.ts; a test keeps the two the same), so the page, the
 * demo and the docs all show the same flows.
 */
import type { OrderLine } from '../../../shared/events/catalogue';

export interface ExplorerPreset {
  /** Stable, for tests and links: `happy`, `declined`, `out-of-stock`. */
  readonly id: string;
  readonly label: string;
  /** What to expect, in a few words. */
  readonly description: string;
  readonly request: { readonly customerId: string; readonly lines: readonly OrderLine[] };
}

export const EXPLORER_PRESETS: readonly ExplorerPreset[] = [
  {
    id: 'happy',
    label: 'Happy path',
    description: 'Two books and a mug: paid, then stock reserved',
    request: {
      customerId: 'alice',
      lines: [
        { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
        { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 },
      ],
    },
  },
  {
    id: 'declined',
    label: 'Payment declined',
    description: '60 T-shirts, above the payment limit: cancelled',
    request: { customerId: 'bob', lines: [{ sku: 'TSHIRT-CQRS', quantity: 60, unitPrice: 2500 }] },
  },
  {
    id: 'out-of-stock',
    label: 'Out of stock',
    description: 'A sold-out item: paid, cancelled, then refunded',
    request: { customerId: 'carol', lines: [{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }] },
  },
];
