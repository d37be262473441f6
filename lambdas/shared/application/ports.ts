/** Time and identity are ports so that tests and demos can make them deterministic. */
import { createHash, randomUUID } from 'node:crypto';

export type Clock = () => Date;
export type IdGenerator = () => string;

export const systemClock: Clock = () => new Date();
export const randomIds: IdGenerator = () => randomUUID();

/** Ids with a readable prefix (`pay_…`, `res_…`). */
export function prefixedIds(prefix: string, next: IdGenerator = randomIds): IdGenerator {
  return () => `${prefix}_${next()}`;
}

/**
 * The same id for the same seed, shaped as a UUID: a command retried with the same
 * idempotency key names the same aggregate, so its repeat is recognised instead of duplicated.
 */
export function idFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
