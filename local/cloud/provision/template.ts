/**
 * A synthesized stack read out of a cloud assembly (`cdk.out`): its CloudFormation template,
 * typed as far as the local cloud reads it and tolerant of everything else, and where its
 * assets (the Lambda bundles) are on disk.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  /** Raw: intrinsic functions unresolved. */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly dependsOn: readonly string[];
  readonly condition?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface TemplateOutput {
  readonly logicalId: string;
  /** Raw: intrinsic functions unresolved. */
  readonly value: unknown;
  readonly description?: string;
  readonly condition?: string;
}

export interface TemplateParameter {
  readonly type: string;
  readonly default?: unknown;
}

export interface Template {
  readonly description?: string;
  readonly resources: ReadonlyMap<string, TemplateResource>;
  readonly outputs: ReadonlyMap<string, TemplateOutput>;
  readonly parameters: ReadonlyMap<string, TemplateParameter>;
  /** Condition name → condition expression (raw). */
  readonly conditions: Readonly<Record<string, unknown>>;
  /** Map name → top-level key → second-level key → value. */
  readonly mappings: Readonly<Record<string, unknown>>;
}

/** One stack of a cloud assembly. */
export interface AssemblyStack {
  /** Absolute path of the cloud assembly directory. */
  readonly directory: string;
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templateFile: string;
  readonly template: Template;
  /** File asset hash (the `S3Key` of a function's code, without `.zip`) → absolute path of its source. */
  readonly assets: ReadonlyMap<string, string>;
}

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const ASSET_MANIFEST_ARTIFACT = 'cdk:asset-manifest';

const record = z.record(z.string(), z.unknown());

const resourceSchema = z.looseObject({
  Type: z.string().min(1),
  Properties: record.optional(),
  DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
  Condition: z.string().optional(),
  Metadata: record.optional(),
});

const templateSchema = z.looseObject({
  Description: z.string().optional(),
  Resources: z.record(z.string(), resourceSchema),
  Outputs: z
    .record(z.string(), z.looseObject({ Value: z.unknown(), Description: z.string().optional(), Condition: z.string().optional() }))
    .optional(),
  Parameters: z.record(z.string(), z.looseObject({ Type: z.string(), Default: z.unknown().optional() })).optional(),
  Conditions: record.optional(),
  Mappings: record.optional(),
});

const manifestSchema = z.looseObject({
  artifacts: z
    .record(
      z.string(),
      z.looseObject({
        type: z.string(),
        properties: z.looseObject({ templateFile: z.string().optional(), file: z.string().optional(), stackName: z.string().optional() }).optional(),
        dependencies: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const assetManifestSchema = z.looseObject({
  files: z.record(z.string(), z.looseObject({ source: z.looseObject({ path: z.string().optional() }) })).optional(),
});

/** Checks the shape of a template (only what the local cloud relies on) and indexes it. */
export function parseTemplate(json: unknown, source = 'template'): Template {
  const parsed = parseWith(templateSchema, json, source);
  const resources = new Map<string, TemplateResource>();
  for (const [logicalId, resource] of Object.entries(parsed.Resources)) {
    const dependsOn = resource.DependsOn === undefined ? [] : typeof resource.DependsOn === 'string' ? [resource.DependsOn] : resource.DependsOn;
    resources.set(logicalId, {
      logicalId,
      type: resource.Type,
      properties: resource.Properties ?? {},
      dependsOn,
      ...(resource.Condition === undefined ? {} : { condition: resource.Condition }),
      metadata: resource.Metadata ?? {},
    });
  }
  const outputs = new Map<string, TemplateOutput>();
  for (const [logicalId, output] of Object.entries(parsed.Outputs ?? {})) {
    outputs.set(logicalId, {
      logicalId,
      value: output.Value,
      ...(output.Description === undefined ? {} : { description: output.Description }),
      ...(output.Condition === undefined ? {} : { condition: output.Condition }),
    });
  }
  const parameters = new Map<string, TemplateParameter>(
    Object.entries(parsed.Parameters ?? {}).map(([name, p]) => [name, { type: p.Type, ...(p.Default === undefined ? {} : { default: p.Default }) }]),
  );
  return {
    ...(parsed.Description === undefined ? {} : { description: parsed.Description }),
    resources,
    outputs,
    parameters,
    conditions: parsed.Conditions ?? {},
    mappings: parsed.Mappings ?? {},
  };
}

/**
 * Reads the stack `stackName` (or the only stack) of the cloud assembly in `cloudAssemblyDir`:
 * its manifest names the template and the asset manifest that maps asset hashes to directories.
 */
export function loadStack(cloudAssemblyDir: string, stackName?: string): AssemblyStack {
  const directory = path.resolve(cloudAssemblyDir);
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${directory} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` first`);
  const artifacts = parseWith(manifestSchema, readJson(manifestFile), manifestFile).artifacts ?? {};

  const stacks = Object.entries(artifacts).filter(([, artifact]) => artifact.type === STACK_ARTIFACT);
  const nameOf = ([id, artifact]: (typeof stacks)[number]): string => artifact.properties?.stackName ?? id;
  const names = stacks.map(nameOf);
  const chosen = stackName === undefined ? (stacks.length === 1 ? stacks[0] : undefined) : stacks.find((s) => nameOf(s) === stackName);
  if (chosen === undefined) {
    const which = stackName === undefined ? `it has ${stacks.length} stacks; say which` : `it has no stack ${stackName}`;
    throw new Error(`Cannot pick a stack in the cloud assembly ${directory}: ${which} (stacks: ${names.join(', ') || 'none'})`);
  }
  const [artifactId, artifact] = chosen;
  const templateName = artifact.properties?.templateFile;
  if (templateName === undefined) throw new Error(`The stack artifact ${artifactId} in ${manifestFile} names no templateFile`);
  const templateFile = path.join(directory, templateName);
  const template = parseTemplate(readJson(templateFile), templateFile);

  const assets = new Map<string, string>();
  for (const dependency of artifact.dependencies ?? []) {
    const file = artifacts[dependency]?.type === ASSET_MANIFEST_ARTIFACT ? artifacts[dependency]?.properties?.file : undefined;
    if (file === undefined) continue;
    const assetManifestFile = path.join(directory, file);
    const files = parseWith(assetManifestSchema, readJson(assetManifestFile), assetManifestFile).files ?? {};
    for (const [hash, asset] of Object.entries(files)) {
      if (asset.source.path !== undefined) assets.set(hash, path.resolve(path.dirname(assetManifestFile), asset.source.path));
    }
  }
  return { directory, stackName: nameOf(chosen), templateFile, template, assets };
}

/**
 * The directory of a function's bundle, from its `Code.S3Key` (`<hash>.zip`): through the asset
 * manifest, else the `aws:asset:path` metadata CDK puts on the function, else `asset.<hash>`.
 */
export function assetDirectory(stack: AssemblyStack, s3Key: string, metadata: Readonly<Record<string, unknown>> = {}): string | undefined {
  const hash = path.basename(s3Key).replace(/\.zip$/, '');
  const metadataPath = metadata['aws:asset:path'];
  const candidates = [
    stack.assets.get(hash),
    typeof metadataPath === 'string' ? path.resolve(stack.directory, metadataPath) : undefined,
    path.join(stack.directory, `asset.${hash}`),
  ];
  return candidates.find((candidate): candidate is string => candidate !== undefined && existsSync(candidate) && statSync(candidate).isDirectory());
}

/** The resources of one type, in template order. */
export function resourcesOfType(template: Template, type: string): TemplateResource[] {
  return [...template.resources.values()].filter((resource) => resource.type === type);
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`Missing file ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, source: string): T {
  const result = schema.safeParse(json);
  if (!result.success) throw new Error(`${source} is not what a CDK cloud assembly holds:\n${z.prettifyError(result.error)}`);
  return result.data;
}
