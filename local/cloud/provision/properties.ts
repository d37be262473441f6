/** Reading a resource's properties: resolve the ones a schema names, then check them with it. */
import { z } from 'zod';
import type { IntrinsicResolver } from './intrinsics';
import type { TemplateResource } from './template';

/** An integer, as CloudFormation accepts it: a number or a string of digits. */
export const integer = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

/** A boolean, as CloudFormation accepts it: `true` or `"true"`. */
export const boolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** A JSON document given as an object or as its text (policies, patterns). */
export const jsonDocument = z.preprocess(fromJsonText, z.record(z.string(), z.unknown()));

/** An environment value: strings, and numbers or booleans written out (as Lambda does). */
export const scalarString = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

/** Where a resource's property sits in the template, for messages. */
export function propertyPath(resource: TemplateResource, property?: string): string {
  return `Resources.${resource.logicalId}.Properties${property === undefined ? '' : `.${property}`}`;
}

/**
 * The properties `schema` names, with intrinsic functions resolved (the others are left alone,
 * so that an IAM role or a KMS key the local cloud never makes is never looked up), checked
 * against `schema`.
 */
export function readProperties<S extends z.ZodObject>(resolver: IntrinsicResolver, resource: TemplateResource, schema: S): z.output<S> {
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    if (!Object.hasOwn(resource.properties, key)) continue;
    const value = resolver.resolve(resource.properties[key], propertyPath(resource, key));
    if (value !== undefined) resolved[key] = value;
  }
  return parseResolved(schema, resolved, resource);
}

/** Checks resolved values of `resource` (or of one of its properties) against `schema`, naming the resource in the error. */
export function parseResolved<S extends z.ZodType>(schema: S, value: unknown, resource: TemplateResource, property?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(`${propertyPath(resource, property)} (${resource.type}) cannot be provisioned locally:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** The document a JSON text holds; anything else (or text that is not JSON) as it is, for the schema to judge. */
export function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
