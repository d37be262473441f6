/**
 * Without Java 17, startDynamoDbLocal fails at once with an error that says what to install.
 * Each case runs the child script with a PATH holding only `node` (and maybe a fake `java`).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JAVA_17_REQUIRED, javaMajorVersion } from '../../../local/emulators/dynamodb-local';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CHILD_SCRIPT = path.join(__dirname, 'support', 'dynamodb-local-child.ts');

let binDir: string;

beforeEach(() => {
  binDir = mkdtempSync(path.join(tmpdir(), 'no-java-'));
  symlinkSync(process.execPath, path.join(binDir, 'node'));
});

afterEach(() => rmSync(binDir, { recursive: true, force: true }));

function runChildWithPath(): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'node'), ['--import', 'tsx', CHILD_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: binDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

it('names the missing Java when there is no `java` on the PATH', async () => {
  const { code, stderr } = await runChildWithPath();
  expect(code).toBe(2);
  expect(stderr).toContain(JAVA_17_REQUIRED);
  expect(stderr).toContain('`java` is not on the PATH');
}, 30_000);

it('refuses a Java older than 17', async () => {
  const fakeJava = path.join(binDir, 'java');
  writeFileSync(fakeJava, '#!/bin/sh\necho \'java version "1.8.0_392"\' >&2\n');
  chmodSync(fakeJava, 0o755);
  const { code, stderr } = await runChildWithPath();
  expect(code).toBe(2);
  expect(stderr).toContain(JAVA_17_REQUIRED);
  expect(stderr).toContain('1.8.0_392');
}, 30_000);

it.each([
  ['openjdk version "17.0.15" 2025-04-15', 17],
  ['openjdk version "21" 2023-09-19', 21],
  ['java version "1.8.0_392"', 8],
  ['openjdk version "11.0.2" 2019-01-15', 11],
  ['bash: java: command not found', undefined],
])('reads the major version from %j', (output, major) => {
  expect(javaMajorVersion(output)).toBe(major);
});
