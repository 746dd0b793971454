// Where the CPU goes: CPU seconds used by each part of the stack between two snapshots, from /proc. The machine has
// few cores, so a phase's throughput is mostly a question of which process spends them.
import fs from 'node:fs';

const TICK = 100; // USER_HZ on Linux

export type CpuSnapshot = Map<number, { part: string; ticks: number }>;

function partOf(pid: number, roles: Map<number, string>): string | null {
  if (roles.has(pid)) return roles.get(pid)!;
  let cmd: string;
  try {
    cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
  if (/\bpostgres\b/.test(cmd) || cmd.startsWith('postgres:')) return 'postgresql';
  if (/temporal(-cli)?\S* server start-dev/.test(cmd)) return 'temporal server';
  if (/stripe-mock/.test(cmd)) return 'stripe-mock';
  return null;
}

export function cpuSnapshot(roles: Map<number, string>): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const part = partOf(pid, roles);
    if (!part) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      snap.set(pid, { part, ticks: Number(f[11]) + Number(f[12]) }); // utime + stime
    } catch {
      /* gone */
    }
  }
  return snap;
}

/** CPU seconds per part between two snapshots (processes born in between count from zero). */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, { part, ticks }] of b) {
    const before = a.get(pid)?.ticks ?? 0;
    out[part] = Math.round(((out[part] ?? 0) + (ticks - before) / TICK) * 10) / 10;
  }
  return out;
}
