import { parseCommand, UsageError } from '../../cli/args';
import type { CliDeps } from '../../cli/main';

/**
 * The orders CLI's dependencies for a test, short of the world: what it prints is kept, no local
 * cloud's outputs file exists, and AWS and the network refuse unless a test overrides them.
 */
export function cliUnderTest(overrides: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    env: {},
    localOutputsFile: '/nowhere/.local-cloud/outputs.json',
    readFile: () => undefined,
    stackOutputs: () => Promise.reject(new Error('no AWS in this test')),
    fetch: () => Promise.reject(new Error('no network in this test')),
    ...overrides,
  };
  return { deps, out: () => out.join('\n'), err: () => err.join('\n'), lines: { out, err } };
}

/** The usage error a command line is refused with; fails if it is accepted. */
export function usageErrorOf(argv: string[]): UsageError {
  try {
    parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error, but ${JSON.stringify(argv)} was accepted`);
}
