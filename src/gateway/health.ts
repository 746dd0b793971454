import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../infra/database';
import type { Mailer } from '../infra/mailer';

export interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Reachability of the three services the product cannot work without. */
export async function checkHealth(deps: { client: Client; prisma: PrismaClient; mailer: Mailer }, timeoutMs = 3000) {
  const [temporal, postgres, smtp] = await Promise.all([
    timed(() => deps.client.workflowService.getSystemInfo({}), timeoutMs),
    timed(() => deps.prisma.$queryRaw`SELECT 1`, timeoutMs),
    timed(() => deps.mailer.verify(), timeoutMs),
  ]);
  const checks = { temporal, postgres, smtp };
  return { ok: temporal.ok && postgres.ok && smtp.ok, checks };
}
