/** The stock the simulated warehouse starts with. `SOLD-OUT` has none, so every path can be shown. */
export const DEMO_STOCK: Readonly<Record<string, number>> = {
  'BOOK-DDD': 1_000_000,
  'MUG-EVENTS': 1_000_000,
  'TSHIRT-CQRS': 1_000_000,
  'STICKER-SAGA': 1_000_000,
  'SOLD-OUT': 0,
};
