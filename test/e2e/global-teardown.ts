/** Stops the local cloud the global setup started (emulators, pollers, function workers). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.localCloud?.stop();
  globalThis.localCloud = undefined;
}
