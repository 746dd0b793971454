import fs from 'node:fs';

interface Stack {
  /** Stops the shared servers, the last started first (test/support/global-setup.ts). */
  stop(): Promise<void>;
  dir: string;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__imaginasiteStack as Stack | undefined;
  if (!stack) return;
  await stack.stop();
  // Logs are kept when something failed to help diagnose; the data is disposable.
  if (!process.env.KEEP_TEST_STACK) fs.rmSync(stack.dir, { recursive: true, force: true });
}
