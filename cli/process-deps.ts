/** What the CLI touches when it runs for real: this process's output and environment, files, AWS. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CliDeps } from './main';
import { readStackOutputs } from './stack-outputs';

/** Where `npm start` writes the local cloud's stack outputs (`{ "ApiUrl": … }`) while it runs. */
export const LOCAL_OUTPUTS_FILE = path.resolve(__dirname, '../.local-cloud/outputs.json');

/** A file's text, or undefined when there is no such file (any other failure is thrown). */
export function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function processDeps(): CliDeps {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    localOutputsFile: LOCAL_OUTPUTS_FILE,
    readFile: readIfPresent,
    stackOutputs: readStackOutputs,
  };
}
