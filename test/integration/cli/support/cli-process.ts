/** Runs the orders CLI as a user does: its own process, its exit code, what it prints and when. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');

export interface CliProcess {
  /** Resolves with the exit code once the process has ended and its output is read. */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Standard output's lines so far. */
  lines(): string[];
  kill(): void;
}

export interface CliOptions {
  /** Added to the environment, which never carries the caller's ORDERS_API_URL. */
  readonly env?: Record<string, string>;
  /** Run this file with node instead of `cli/orders.ts` with tsx (the bin entry). */
  readonly entry?: string;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const { ORDERS_API_URL: _ignored, ...env } = process.env;
  const argv = options.entry ? [path.join(ROOT, options.entry), ...args] : [TSX, path.join(ROOT, 'cli/orders.ts'), ...args];
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return {
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => stdout.split('\n').filter((line) => line !== ''),
    kill: () => void child.kill('SIGKILL'),
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

/** Runs the CLI to its end. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const run = startCli(args, options);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr(), lines: run.lines() };
}
