import { ConcurrencyError, ConflictError } from './errors';

export const DEFAULT_CONCURRENCY_ATTEMPTS = 4;

/**
 * Runs a load-decide-save command, and runs it again from a fresh load when the save loses an
 * optimistic-concurrency race. After `attempts` lost races it reports a {@link ConflictError}.
 */
export async function retryOnConcurrencyError<T>(
  aggregateId: string,
  command: () => Promise<T>,
  attempts = DEFAULT_CONCURRENCY_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= attempts) throw new ConflictError(aggregateId, attempts);
    }
  }
}
