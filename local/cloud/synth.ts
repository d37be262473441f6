/** `cdk synth` for the local cloud: the synthesized template is the one description of the topology. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const DEFAULT_CLOUD_ASSEMBLY = path.join(PROJECT_ROOT, 'cdk.out');
export const STACK_NAME = 'EventDrivenOrders';
/** What the template and the bundles are made from. */
const SOURCES = ['bin', 'lib', 'lambdas', 'package-lock.json', 'cdk.json'];

export function templatePath(outdir: string = DEFAULT_CLOUD_ASSEMBLY): string {
  return path.join(outdir, `${STACK_NAME}.template.json`);
}

function newestChange(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce((newest, entry) => Math.max(newest, newestChange(path.join(target, entry))), stat.mtimeMs);
}

/** True when a template exists and nothing it is made from changed since. */
export function isSynthFresh(outdir: string = DEFAULT_CLOUD_ASSEMBLY): boolean {
  const template = templatePath(outdir);
  if (!existsSync(template)) return false;
  const built = statSync(template).mtimeMs;
  return SOURCES.every((source) => {
    const full = path.join(PROJECT_ROOT, source);
    return !existsSync(full) || newestChange(full) <= built;
  });
}

export interface SynthOptions {
  readonly outdir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onOutput?: (chunk: string) => void;
}

/** Runs `cdk synth` offline (no notices, no telemetry); resolves to how long it took, in ms. */
export async function synthesize(options: SynthOptions = {}): Promise<number> {
  const started = Date.now();
  const cdk = path.join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const args = [cdk, 'synth', STACK_NAME, '--no-notices', '--quiet', '--output', options.outdir ?? DEFAULT_CLOUD_ASSEMBLY];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env: { ...(options.env ?? process.env), CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output.push(chunk.toString());
      options.onOutput?.(chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`cdk synth failed (exit ${code}):\n${output.join('').slice(-4000)}`);
  return Date.now() - started;
}

/** Synthesizes unless the template is already up to date; resolves to whether it did. */
export async function ensureSynthesized(options: SynthOptions = {}): Promise<boolean> {
  if (isSynthFresh(options.outdir)) return false;
  await synthesize(options);
  return true;
}
