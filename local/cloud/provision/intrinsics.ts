/**
 * CloudFormation's intrinsic functions, evaluated against what the local cloud provisioned.
 *
 * Resolution is strict: a reference to anything without a local value (an unknown logical id,
 * a resource type that is never provisioned, an attribute nobody recorded) throws an
 * {@link IntrinsicError} that names the reference and where in the template it sits, so that a
 * template the local cloud does not understand fails loudly instead of wiring garbage.
 */
import type { Template, TemplateResource } from './template';

/** What a provisioned resource answers to `Ref` and `Fn::GetAtt`. */
export interface ProvisionedValue {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** Default `aws`. */
  readonly partition?: string;
  /** Default `amazonaws.com`. */
  readonly urlSuffix?: string;
}

export interface ResolverContext {
  readonly template: Template;
  readonly pseudo: PseudoParameters;
  /** Values of template parameters, overriding their defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Provisioned resources by logical id; read at each resolution, so it may grow while provisioning. */
  readonly values: ReadonlyMap<string, ProvisionedValue>;
  /** Why a resource without a value has none (e.g. its type is never provisioned locally), for error messages. */
  readonly whyNoValue?: (resource: TemplateResource) => string | undefined;
}

/** A reference or function the local cloud cannot evaluate, with the reference and its place in the template. */
export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';

  constructor(
    message: string,
    /** Where in the template, e.g. `Resources.Api.Properties.Environment.Variables.TABLE_NAME`. */
    readonly path: string,
    /** The logical id (or parameter, or condition) that could not be resolved, if that was the problem. */
    readonly reference?: string,
  ) {
    super(`${message} (at ${path})`);
  }
}

const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;

const UNSUPPORTED_FUNCTIONS = ['Fn::GetAZs', 'Fn::ImportValue', 'Fn::Cidr', 'Fn::Transform', 'Fn::Length', 'Fn::ToJsonString', 'Fn::ForEach'];

export class IntrinsicResolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();

  constructor(private readonly context: ResolverContext) {}

  /**
   * `value` with every intrinsic function evaluated. Properties and list elements that resolve to
   * `AWS::NoValue` are dropped; a `value` that is itself `AWS::NoValue` resolves to `undefined`.
   */
  resolve(value: unknown, path: string): unknown {
    const resolved = this.evaluate(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Like {@link resolve}, for a value that must be a string (numbers and booleans are written out, as CloudFormation does). */
  resolveString(value: unknown, path: string): string {
    return asString(this.evaluate(value, path), path);
  }

  /** The truth of a named condition of the template. */
  condition(name: string, path: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.context.template.conditions, name)) {
      throw new IntrinsicError(`No condition named ${JSON.stringify(name)} in the template`, path, name);
    }
    if (this.conditionsInProgress.has(name)) throw new IntrinsicError(`The condition ${name} depends on itself`, path, name);
    this.conditionsInProgress.add(name);
    try {
      const value = this.evaluateCondition(this.context.template.conditions[name], `Conditions.${name}`);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.conditionsInProgress.delete(name);
    }
  }

  private evaluate(value: unknown, path: string): Resolved {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.evaluate(item, `${path}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isPlainObject(value)) return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === 'Ref' || only?.startsWith('Fn::')) return this.evaluateFunction(only, value[only], `${path}.${only}`);
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.evaluate(value[key], `${path}.${key}`);
      if (item !== NO_VALUE) result[key] = item;
    }
    return result;
  }

  private evaluateFunction(name: string, argument: unknown, path: string): Resolved {
    switch (name) {
      case 'Ref':
        return this.ref(this.literalString(argument, path), path);
      case 'Fn::GetAtt':
        return this.getAtt(argument, path);
      case 'Fn::Join':
        return this.join(argument, path);
      case 'Fn::Select':
        return this.select(argument, path);
      case 'Fn::Split': {
        const [delimiter, source] = this.arguments(argument, 2, path);
        return asString(this.evaluate(source, `${path}[1]`), `${path}[1]`).split(asString(this.evaluate(delimiter, `${path}[0]`), `${path}[0]`));
      }
      case 'Fn::Sub':
        return this.sub(argument, path);
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.arguments(argument, 3, path);
        const chosen = this.condition(this.literalString(condition, `${path}[0]`), `${path}[0]`);
        return chosen ? this.evaluate(whenTrue, `${path}[1]`) : this.evaluate(whenFalse, `${path}[2]`);
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return this.evaluateCondition({ [name]: argument }, path.slice(0, -name.length - 1));
      case 'Fn::FindInMap':
        return this.findInMap(argument, path);
      case 'Fn::Base64':
        return Buffer.from(asString(this.evaluate(argument, path), path), 'utf8').toString('base64');
      default: {
        const why = UNSUPPORTED_FUNCTIONS.includes(name) ? 'is not supported by the local cloud' : 'is not a CloudFormation intrinsic function';
        throw new IntrinsicError(`${name} ${why}`, path);
      }
    }
  }

  private ref(name: string, path: string): Resolved {
    const { pseudo, template, parameters } = this.context;
    switch (name) {
      case 'AWS::Region':
        return pseudo.region;
      case 'AWS::AccountId':
        return pseudo.accountId;
      case 'AWS::Partition':
        return pseudo.partition ?? 'aws';
      case 'AWS::URLSuffix':
        return pseudo.urlSuffix ?? 'amazonaws.com';
      case 'AWS::StackName':
        return pseudo.stackName;
      case 'AWS::StackId':
        return `arn:${pseudo.partition ?? 'aws'}:cloudformation:${pseudo.region}:${pseudo.accountId}:stack/${pseudo.stackName}/local`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (name.startsWith('AWS::')) throw new IntrinsicError(`${name} is not a pseudo parameter`, path, name);

    const parameter = template.parameters.get(name);
    if (parameter !== undefined) {
      const value = parameters?.[name] ?? (parameter.type.startsWith('AWS::SSM::') ? undefined : parameter.default);
      if (value === undefined) throw new IntrinsicError(`The parameter ${name} (${parameter.type}) has no local value: pass it in the parameters`, path, name);
      const text = asString(value, path);
      return parameter.type === 'CommaDelimitedList' || parameter.type.startsWith('List<') ? text.split(',') : text;
    }
    return this.provisioned(name, path).ref;
  }

  private getAtt(argument: unknown, path: string): Resolved {
    let logicalId: string;
    let attribute: string;
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      if (dot <= 0) throw new IntrinsicError(`Fn::GetAtt needs "LogicalId.Attribute", not ${JSON.stringify(argument)}`, path);
      logicalId = argument.slice(0, dot);
      attribute = argument.slice(dot + 1);
    } else {
      const [id, name] = this.arguments(argument, 2, path);
      logicalId = this.literalString(id, `${path}[0]`);
      attribute = asString(this.evaluate(name, `${path}[1]`), `${path}[1]`);
    }
    const value = this.provisioned(logicalId, path);
    const result = value.attributes[attribute];
    if (result === undefined) {
      const type = this.context.template.resources.get(logicalId)?.type ?? 'resource';
      const known = Object.keys(value.attributes);
      throw new IntrinsicError(
        `${logicalId} (${type}) has no attribute ${attribute} locally (it has ${known.length === 0 ? 'none' : known.join(', ')})`,
        path,
        logicalId,
      );
    }
    return result;
  }

  private provisioned(logicalId: string, path: string): ProvisionedValue {
    const value = this.context.values.get(logicalId);
    if (value !== undefined) return value;
    const resource = this.context.template.resources.get(logicalId);
    if (resource === undefined) {
      throw new IntrinsicError(`${logicalId} is neither a resource nor a parameter of the template, nor a pseudo parameter`, path, logicalId);
    }
    if (resource.condition !== undefined && !this.condition(resource.condition, path)) {
      throw new IntrinsicError(`${logicalId} is not created: its condition ${resource.condition} is false`, path, logicalId);
    }
    const why = this.context.whyNoValue?.(resource) ?? 'it has not been provisioned (yet)';
    throw new IntrinsicError(`${logicalId} (${resource.type}) has no local value: ${why}`, path, logicalId);
  }

  private join(argument: unknown, path: string): string {
    const [delimiter, list] = this.arguments(argument, 2, path);
    const separator = asString(this.evaluate(delimiter, `${path}[0]`), `${path}[0]`);
    const items = this.evaluate(list, `${path}[1]`);
    if (!Array.isArray(items)) throw new IntrinsicError('Fn::Join needs a list to join', `${path}[1]`);
    return items.map((item, index) => asString(item, `${path}[1][${index}]`)).join(separator);
  }

  private select(argument: unknown, path: string): Resolved {
    const [index, list] = this.arguments(argument, 2, path);
    const position = Number(this.evaluate(index, `${path}[0]`));
    const items = this.evaluate(list, `${path}[1]`);
    if (!Array.isArray(items)) throw new IntrinsicError('Fn::Select needs a list to select from', `${path}[1]`);
    if (!Number.isInteger(position) || position < 0 || position >= items.length) {
      throw new IntrinsicError(`Fn::Select index ${String(position)} is outside the list of ${items.length}`, `${path}[0]`);
    }
    return items[position];
  }

  private sub(argument: unknown, path: string): string {
    let text: string;
    let variables: Record<string, unknown> = {};
    if (typeof argument === 'string') {
      text = argument;
    } else {
      const [template, map] = this.arguments(argument, 2, path);
      text = this.literalString(template, `${path}[0]`);
      if (!isPlainObject(map)) throw new IntrinsicError('Fn::Sub variables must be an object', `${path}[1]`);
      variables = map;
    }
    return text.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.hasOwn(variables, name)) return asString(this.evaluate(variables[name], `${path}[1].${name}`), `${path}[1].${name}`);
      const dot = name.indexOf('.');
      const value = dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name, `${path}\${${name}}`) : this.ref(name, `${path}\${${name}}`);
      return asString(value, `${path}\${${name}}`);
    });
  }

  private findInMap(argument: unknown, path: string): Resolved {
    const [map, top, second] = this.arguments(argument, 3, path).map((item, index) => asString(this.evaluate(item, `${path}[${index}]`), `${path}[${index}]`));
    const value = lookup(lookup(lookup(this.context.template.mappings, map as string), top as string), second as string);
    if (value === undefined) throw new IntrinsicError(`The mapping ${map} has no ${top}.${second}`, path, map);
    return value;
  }

  private evaluateCondition(expression: unknown, path: string): boolean {
    if (!isPlainObject(expression) || Object.keys(expression).length !== 1) {
      throw new IntrinsicError('A condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition', path);
    }
    const [name, argument] = Object.entries(expression)[0] as [string, unknown];
    const at = `${path}.${name}`;
    switch (name) {
      case 'Condition':
        return this.condition(this.literalString(argument, at), at);
      case 'Fn::Equals': {
        const [left, right] = this.arguments(argument, 2, at).map((item, index) => this.evaluate(item, `${at}[${index}]`));
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !this.evaluateCondition(this.arguments(argument, 1, at)[0], `${at}[0]`);
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(argument) || argument.length === 0) throw new IntrinsicError(`${name} needs a list of conditions`, at);
        const values = argument.map((item, index) => this.evaluateCondition(item, `${at}[${index}]`));
        return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      default:
        return asBoolean(this.evaluate(expression, path), path);
    }
  }

  private arguments(argument: unknown, count: number, path: string): unknown[] {
    if (!Array.isArray(argument) || argument.length !== count) {
      throw new IntrinsicError(`Expected a list of ${count} argument${count === 1 ? '' : 's'}, got ${JSON.stringify(argument)}`, path);
    }
    return argument;
  }

  private literalString(value: unknown, path: string): string {
    if (typeof value !== 'string') throw new IntrinsicError(`Expected a literal string, got ${JSON.stringify(value)}`, path);
    return value;
  }
}

/**
 * The logical ids (and parameter names) `value` refers to through `Ref`, `Fn::GetAtt` and
 * `Fn::Sub`, pseudo parameters excluded: the edges of the dependency graph.
 */
export function referencesOf(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesOf(item, found);
    return found;
  }
  if (!isPlainObject(value)) return found;
  for (const [key, argument] of Object.entries(value)) {
    if (key === 'Ref' && typeof argument === 'string') {
      if (!argument.startsWith('AWS::')) found.add(argument);
    } else if (key === 'Fn::GetAtt') {
      const id = typeof argument === 'string' ? argument.split('.')[0] : Array.isArray(argument) ? argument[0] : undefined;
      if (typeof id === 'string' && id !== '') found.add(id);
      else referencesOf(argument, found);
    } else if (key === 'Fn::Sub') {
      const [text, variables] = typeof argument === 'string' ? [argument, {}] : Array.isArray(argument) ? [argument[0], argument[1]] : [undefined, {}];
      if (typeof text === 'string') {
        for (const [, inner] of text.matchAll(/\$\{([^}]*)\}/g)) {
          const name = (inner ?? '').trim();
          if (name.startsWith('!') || name.startsWith('AWS::') || (isPlainObject(variables) && Object.hasOwn(variables, name))) continue;
          found.add(name.split('.')[0] as string);
        }
      }
      referencesOf(variables, found);
    } else {
      referencesOf(argument, found);
    }
  }
  return found;
}

function asString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const shown = value === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(value);
  throw new IntrinsicError(`Expected a string, got ${shown}`, path);
}

function asBoolean(value: unknown, path: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new IntrinsicError(`Expected a condition (true or false), got ${JSON.stringify(value)}`, path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(value: unknown, key: string): unknown {
  return isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}
