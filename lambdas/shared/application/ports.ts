/** Time and identity are ports so that tests and demos can make them deterministic. */
import { randomUUID } from 'node:crypto';

export type Clock = () => Date;
export type IdGenerator = () => string;

export const systemClock: Clock = () => new Date();
export const randomIds: IdGenerator = () => randomUUID();

/** Ids with a readable prefix (`pay_…`, `res_…`). */
export function prefixedIds(prefix: string, next: IdGenerator = randomIds): IdGenerator {
  return () => `${prefix}_${next()}`;
}
