/** A write lost an optimistic-concurrency race: someone saved the aggregate first. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly aggregateId: string,
    readonly expectedVersion: number,
  ) {
    super(`${aggregateId} was changed by someone else (expected version ${expectedVersion})`);
  }
}

/** A command kept losing concurrency races and gave up: the API answers 409. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    readonly aggregateId: string,
    readonly attempts: number,
  ) {
    super(`${aggregateId} is being changed concurrently; gave up after ${attempts} attempts`);
  }
}
