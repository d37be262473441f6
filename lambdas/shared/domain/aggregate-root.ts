import type { AnyDomainEvent } from '../events/envelope';

/**
 * Base of every aggregate: it records the events of its state changes in an internal list,
 * and knows the version it was loaded at so that a save can be an optimistic-concurrency
 * write. The repository saves the state and the pending events together, then calls
 * {@link AggregateRoot.markCommitted}.
 */
export abstract class AggregateRoot<E extends AnyDomainEvent = AnyDomainEvent> {
  #pending: E[] = [];
  #changed = false;
  #version: number;

  protected constructor(version: number) {
    this.#version = version;
  }

  abstract get id(): string;

  /** The version this instance was loaded at (0 for a new aggregate). */
  get version(): number {
    return this.#version;
  }

  /** True when the state changed since load; a repeat that was a no-op leaves it false. */
  get hasChanges(): boolean {
    return this.#changed;
  }

  get pendingEvents(): readonly E[] {
    return this.#pending;
  }

  /** Records an event of a state change; the change itself is made by the caller. */
  protected record(event: E): void {
    this.#pending.push(event);
    this.#changed = true;
  }

  /** A state change that publishes nothing (still needs a version bump). */
  protected touch(): void {
    this.#changed = true;
  }

  /** Called by a repository once the state and the pending events are durably written. */
  markCommitted(newVersion: number): void {
    this.#version = newVersion;
    this.#pending = [];
    this.#changed = false;
  }
}

/** Base of typed domain errors: a stable `code` that handlers map to HTTP answers. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}
