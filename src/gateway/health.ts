/**
 * Reachability of the three services the product cannot work without. The answer is cached a few seconds and shared
 * by concurrent requests: /health is public, and a flood of it must not open a database connection or an SMTP
 * conversation per hit. What failed is told as a kind (unreachable, too slow), never with the services' addresses.
 */
import type { Client } from '@temporalio/client';
import type { Mailer } from '../infra/mailer';
import { TimeoutError, withTimeout } from '../infra/timeout';
import type { GatewayData } from './data';

export interface Check {
  ok: boolean;
  ms: number;
  problem?: 'unreachable' | 'timeout' | 'failed';
}

export interface Health {
  ok: boolean;
  checks: { temporal: Check; postgres: Check; smtp: Check };
}

function problemOf(err: unknown): Check['problem'] {
  if (err instanceof TimeoutError) return 'timeout';
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|UNAVAILABLE|connect|terminat/i.test(String((err as Error)?.message ?? err))
    ? 'unreachable'
    : 'failed';
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  try {
    await withTimeout(fn(), timeoutMs);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, problem: problemOf(err) };
  }
}

export function createHealthCheck(
  deps: { client: Client; data: GatewayData; mailer: Mailer },
  o: { timeoutMs?: number; cacheMs?: number } = {},
) {
  const timeoutMs = o.timeoutMs ?? 3000;
  const cacheMs = o.cacheMs ?? 5000;
  let last: { at: number; health: Promise<Health> } | undefined;
  const check = async (): Promise<Health> => {
    const [temporal, postgres, smtp] = await Promise.all([
      timed(() => deps.client.workflowService.getSystemInfo({}), timeoutMs),
      timed(() => deps.data.ping(), timeoutMs),
      timed(() => deps.mailer.verify(), timeoutMs),
    ]);
    return { ok: temporal.ok && postgres.ok && smtp.ok, checks: { temporal, postgres, smtp } };
  };
  return (): Promise<Health> => {
    if (!last || Date.now() - last.at > cacheMs) last = { at: Date.now(), health: check() };
    return last.health;
  };
}
