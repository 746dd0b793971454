import fs from 'node:fs';

interface Stack {
  pg: { stop(): Promise<void> };
  temporal: { stop(): Promise<void> };
  stripe: { stop(): Promise<void> };
  dir: string;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>).__imaginasiteStack as Stack | undefined;
  if (!stack) return;
  await Promise.allSettled([stack.temporal.stop(), stack.stripe.stop(), stack.pg.stop()]);
  // Logs are kept when something failed to help diagnose; the data is disposable.
  if (!process.env.KEEP_TEST_STACK) fs.rmSync(stack.dir, { recursive: true, force: true });
}
