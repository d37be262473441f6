/** Configuration comes from the environment that CDK (or the local cloud) sets on each function. */

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Reads the named variables, failing with one error that names every missing one. */
export function requireEnv<K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigurationError(`missing environment variable(s): ${missing.join(', ')}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

/** A JSON object variable, such as `TOPIC_ARNS` (event type → topic ARN). */
export function jsonEnv(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  requireEnv([name], env);
  const raw = env[name] as string;
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, string>;
  } catch (error) {
    throw new ConfigurationError(`${name} must be a JSON object: ${(error as Error).message}`);
  }
}

/** An optional whole number, such as `PAYMENT_LIMIT_CENTS`. */
export function intEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative integer, not "${raw}"`);
  return value;
}

/** Memoises a factory: clients and services are built once per container, on first use. */
export function once<T>(factory: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = factory();
      built = true;
    }
    return value as T;
  };
}
