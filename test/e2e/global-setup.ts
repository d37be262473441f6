/**
 * Starts the local cloud once for the end-to-end suite, unless E2E_API_URL names a running
 * stack (LocalStack or AWS) to test instead. Test workers inherit E2E_API_URL.
 */
import { startLocalCloud, type LocalCloud } from '../../local/cloud/local-cloud';
import { ensureSynthesized } from '../../local/cloud/synth';
import { SLOW_WAREHOUSE } from '../../local/demo';

declare global {
  var localCloud: LocalCloud | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.E2E_API_URL) {
    process.stdout.write(`\ne2e: against ${process.env.E2E_API_URL}\n`);
    return;
  }
  await ensureSynthesized();
  const cloud = await startLocalCloud({ invocationDelays: SLOW_WAREHOUSE });
  globalThis.localCloud = cloud;
  process.env.E2E_API_URL = cloud.apiUrl;
  process.stdout.write(`\ne2e: local cloud ready at ${cloud.apiUrl} in ${cloud.timings.total} ms\n`);
}
