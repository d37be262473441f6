import { AggregateRoot } from '../../shared/domain/aggregate-root';
import { DomainError } from '../../shared/domain/aggregate-root';

export interface StockState {
  readonly sku: string;
  /** Units on hand that no reservation holds. */
  readonly available: number;
}

export class InsufficientStockError extends DomainError {
  override readonly name = 'InsufficientStockError';
  readonly code = 'INSUFFICIENT_STOCK';
  constructor(
    readonly sku: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`cannot take ${requested} of ${sku}: ${available} available`);
  }
}

/** The stock of one SKU. Changes publish nothing by themselves: the reservation tells the story. */
export class StockItem extends AggregateRoot {
  #state: StockState;

  private constructor(state: StockState, version: number) {
    super(version);
    this.#state = state;
  }

  static restore(state: StockState, version: number): StockItem {
    return new StockItem(state, version);
  }

  /**
   * A SKU with nothing stored yet: it starts at its catalogue level (none for a SKU the store
   * does not sell), and is stored the first time it changes.
   */
  static unknown(sku: string, available = 0): StockItem {
    return new StockItem({ sku, available }, 0);
  }

  /** Stock received into the warehouse (seeding the demo catalogue, for instance). */
  static receive(sku: string, quantity: number): StockItem {
    const item = new StockItem({ sku, available: quantity }, 0);
    item.touch();
    return item;
  }

  get id(): string {
    return this.#state.sku;
  }

  get available(): number {
    return this.#state.available;
  }

  get state(): StockState {
    return this.#state;
  }

  take(quantity: number): void {
    if (quantity > this.#state.available) throw new InsufficientStockError(this.id, quantity, this.#state.available);
    this.#state = { ...this.#state, available: this.#state.available - quantity };
    this.touch();
  }

  putBack(quantity: number): void {
    this.#state = { ...this.#state, available: this.#state.available + quantity };
    this.touch();
  }
}
