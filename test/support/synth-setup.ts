/**
 * Global setup of the integration and e2e projects: brings `cdk.out` up to date once, before
 * any test reads the synthesized template or runs its bundles.
 */
import { ensureSynthesized } from '../../local/cloud/synth';

export default async function synthSetup(): Promise<void> {
  const started = Date.now();
  if (await ensureSynthesized()) process.stdout.write(`\ncdk.out synthesized for the tests in ${Date.now() - started} ms\n`);
}
