import type { Client } from '@temporalio/client';
import type { Mailer } from '../infra/mailer';
import { withTimeout } from '../infra/timeout';
import type { GatewayData } from './data';

export interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  try {
    await withTimeout(fn(), timeoutMs);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/** Reachability of the three services the product cannot work without. */
export async function checkHealth(deps: { client: Client; data: GatewayData; mailer: Mailer }, timeoutMs = 3000) {
  const [temporal, postgres, smtp] = await Promise.all([
    timed(() => deps.client.workflowService.getSystemInfo({}), timeoutMs),
    timed(() => deps.data.ping(), timeoutMs),
    timed(() => deps.mailer.verify(), timeoutMs),
  ]);
  const checks = { temporal, postgres, smtp };
  return { ok: temporal.ok && postgres.ok && smtp.ok, checks };
}
