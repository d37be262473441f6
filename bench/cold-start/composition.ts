/**
 * What a bundle is made of, read from its own source map: the bytes of generated code each
 * source file accounts for, grouped by package (`zod`, `@aws-sdk/client-dynamodb`, ...) or by the
 * project folder (`lambdas/shared`, `lambdas/inventory`).
 */
import { existsSync, readFileSync } from 'node:fs';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The values of one source map segment (base64 VLQ). */
export function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** The group a source belongs to: its (innermost) package under node_modules, else its first two folders in the project. */
export function groupOf(source: string): string {
  const packages = [...source.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const innermost = packages.at(-1)?.[1];
  if (innermost) return innermost;
  const parts = source.replace(/^(\.\.\/)+/, '').split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
}

/** Bytes of `bundle` per group, from `bundle.map`; empty when there is no map. */
export function composition(bundle: string): Map<string, number> {
  const mapFile = `${bundle}.map`;
  const result = new Map<string, number>();
  if (!existsSync(mapFile)) return result;
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const add = (group: string, bytes: number) => result.set(group, (result.get(group) ?? 0) + bytes);
  let sourceIndex = 0;
  map.mappings.split(';').forEach((mapped, lineNumber) => {
    const line = lines[lineNumber] ?? '';
    let column = 0;
    const segments: { column: number; source: number | undefined }[] = [];
    for (const segment of mapped.split(',')) {
      if (segment === '') continue;
      const [columnDelta = 0, sourceDelta] = decodeVlq(segment);
      column += columnDelta;
      if (sourceDelta !== undefined) sourceIndex += sourceDelta;
      segments.push({ column, source: sourceDelta === undefined ? undefined : sourceIndex });
    }
    // Columns count UTF-16 code units; close enough to bytes for minified code.
    if (segments.length === 0 || (segments[0]?.column ?? 0) > 0) add('(unmapped)', segments[0]?.column ?? line.length);
    segments.forEach((segment, i) => {
      const end = segments[i + 1]?.column ?? line.length;
      const source = segment.source === undefined ? undefined : map.sources[segment.source];
      add(source === undefined ? '(unmapped)' : groupOf(source), Math.max(0, end - segment.column));
    });
  });
  return result;
}

/** The groups `bundle` has more of than `floor`, largest first, in bytes. */
export function extraOver(bundle: ReadonlyMap<string, number>, floor: ReadonlyMap<string, number>): [string, number][] {
  return [...bundle]
    .map(([group, bytes]): [string, number] => [group, bytes - (floor.get(group) ?? 0)])
    .filter(([, extra]) => extra > 512)
    .sort((a, b) => b[1] - a[1]);
}
