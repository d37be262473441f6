/**
 * Lambda event filtering (FilterCriteria), for the patterns CDK's FilterCriteria/FilterRule
 * produce: nested objects down to lists of allowed values, where a value is an exact scalar
 * (null included) or one of `exists`, `prefix`, `suffix`, `equals-ignore-case`, `anything-but`,
 * `numeric`. A record passes when it matches any pattern; no pattern: everything passes.
 */

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const OPERATORS = new Set(['exists', 'prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric']);
const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>=', '>']);

/** Throws on a pattern Lambda would refuse, or one using an operator this matcher does not know. */
export function validateFilterPatterns(patterns: readonly unknown[]): void {
  patterns.forEach((pattern, index) => {
    if (!isObject(pattern)) throw new Error(`Filter pattern ${index} is not a JSON object: ${JSON.stringify(pattern)}`);
    validateObject(pattern, `pattern ${index}`);
  });
}

function validateObject(pattern: Record<string, unknown>, where: string): void {
  for (const [key, rule] of Object.entries(pattern)) {
    const at = `${where}.${key}`;
    if (isObject(rule)) validateObject(rule, at);
    else if (Array.isArray(rule)) {
      for (const value of rule as unknown[]) {
        if (!isObject(value)) continue;
        const operators = Object.keys(value);
        const operator = operators[0];
        if (operators.length !== 1 || operator === undefined || !OPERATORS.has(operator)) {
          throw new Error(`Filter ${at}: unsupported rule ${JSON.stringify(value)} (supported: ${[...OPERATORS].join(', ')})`);
        }
      }
    } else throw new Error(`Filter ${at}: expected an object or a list of values, got ${JSON.stringify(rule)}`);
  }
}

export function matchesAnyPattern(patterns: readonly unknown[], event: unknown): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => isObject(pattern) && matchesObject(pattern, event as Json, true));
}

function matchesObject(pattern: Record<string, unknown>, value: Json | undefined, present: boolean): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    const has = present && isObject(value) && Object.prototype.hasOwnProperty.call(value, key);
    const field = has ? (value as Record<string, Json>)[key] : undefined;
    const ok = Array.isArray(rule) ? matchesLeaf(rule as unknown[], field, has) : isObject(rule) && matchesObject(rule, field, has);
    if (!ok) return false;
  }
  return true;
}

function matchesLeaf(rules: readonly unknown[], value: Json | undefined, present: boolean): boolean {
  const values: readonly (Json | undefined)[] = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (isObject(rule)) {
      if ('exists' in rule) return rule['exists'] === true ? present && !isObject(value) : !present;
      if (!present) return false;
      return values.some((candidate) => matchesOperator(rule, candidate));
    }
    return present && values.some((candidate) => sameScalar(rule, candidate));
  });
}

function matchesOperator(rule: Record<string, unknown>, value: Json | undefined): boolean {
  if ('prefix' in rule) return typeof value === 'string' && typeof rule['prefix'] === 'string' && value.startsWith(rule['prefix']);
  if ('suffix' in rule) return typeof value === 'string' && typeof rule['suffix'] === 'string' && value.endsWith(rule['suffix']);
  if ('equals-ignore-case' in rule) {
    const expected = rule['equals-ignore-case'];
    return typeof value === 'string' && typeof expected === 'string' && value.toLowerCase() === expected.toLowerCase();
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    if (isObject(excluded)) return !matchesOperator(excluded, value);
    const list = Array.isArray(excluded) ? (excluded as unknown[]) : [excluded];
    return !list.some((item) => sameScalar(item, value));
  }
  if ('numeric' in rule) return matchesNumeric(rule['numeric'], value);
  return false;
}

/** `numeric: ['>', 0, '<=', 5]`; DynamoDB's N values are strings, so numeric strings count. */
function matchesNumeric(conditions: unknown, value: Json | undefined): boolean {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Array.isArray(conditions) || Number.isNaN(number)) return false;
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const operator = conditions[i] as unknown;
    const bound = conditions[i + 1] as unknown;
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator) || typeof bound !== 'number') return false;
    const ok =
      operator === '<' ? number < bound : operator === '<=' ? number <= bound : operator === '=' ? number === bound : operator === '>=' ? number >= bound : number > bound;
    if (!ok) return false;
  }
  return true;
}

function sameScalar(rule: unknown, value: Json | undefined): boolean {
  if (rule === null) return value === null;
  if (typeof rule === 'number' && typeof value === 'number') return rule === value;
  return rule === value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
