// The benchmark's outputs: bench/results/<date>.json (the figures), <date>.md (the table and the targets) and
// <date>.svg (latency percentiles of the floor and of the booking at each rate).
import fs from 'node:fs';
import path from 'node:path';
import type { Summary } from './load';

type Rate = Summary & { ratePerSec: number | 'max' };

export interface BenchResult {
  date: string;
  quick: boolean;
  machine: { cores: number; cpu: string; memoryBytes: number; node: string; platform: string };
  settings: Record<string, unknown>;
  /** CPU seconds per part of the stack, per phase (with the phase's wall-clock seconds). */
  cpuSeconds: Record<string, Record<string, number>>;
  floor: { startAndUpdate: Summary; rates: Rate[]; updateP50Ms: number; updateP95Ms: number; updateP99Ms: number };
  booking: { rates: Rate[]; ratioToFloorP99At20: number };
  orderFlow: Summary & { concurrency: number };
  reads: { perSec: number; pack: Summary; dashboard: Summary; dashboardAtScale: Summary };
  scale: {
    openPacks: number;
    futureSessions: number;
    runningWorkflows: number;
    createSeconds: number;
    createPerSec: number;
    createErrors: number;
    workerRssBytes: number;
    workerRssSettledBytes: number;
    workerHeapUsedBytes: number;
    workerHeapPeakBytes: number;
    postgresBytes: number;
    temporalSqliteBytes: number;
    expiryBurst: {
      packs: number;
      validitySeconds: number;
      createSeconds: number;
      createdBeforeInstant: boolean;
      emailsAllSentSeconds: number;
      curve: Array<{ s: number; expired: number }>;
    };
    expiryBurstSeconds: number;
  };
  targets?: Array<{ name: string; measured: string; met: boolean }>;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function targetsOf(r: BenchResult): NonNullable<BenchResult['targets']> {
  const b20 = r.booking.rates.find((x) => x.ratePerSec === 20)!;
  return [
    {
      name: 'booking p99 ≤ 2× floor update p99 at 20/s, no errors',
      measured: `${b20.p99Ms} ms vs ${r.floor.updateP99Ms} ms (×${r.booking.ratioToFloorP99At20}), ${b20.errors} errors`,
      met: r.booking.ratioToFloorP99At20 <= 2 && b20.errors === 0,
    },
    { name: '≥ 30 order→paid flows per second', measured: `${r.orderFlow.perSec}/s`, met: r.orderFlow.perSec >= 30 },
    {
      name: '10,000 open packs on one worker, RSS ≤ 1 GiB',
      measured: `${r.scale.openPacks} open packs, peak RSS ${mib(r.scale.workerRssBytes)}`,
      met: r.scale.openPacks >= 10_000 && r.scale.workerRssBytes <= 2 ** 30,
    },
    {
      name: '10,000-pack expiry burst within 5 minutes',
      measured: `${r.scale.expiryBurst.packs} packs in ${r.scale.expiryBurstSeconds} s`,
      met: r.scale.expiryBurst.packs >= 10_000 && r.scale.expiryBurstSeconds <= 300,
    },
  ];
}

function row(name: string, s: Summary, rate = '') {
  return `| ${name} | ${rate} | ${s.perSec} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.errors} |`;
}

export function markdown(r: BenchResult): string {
  const m = r.machine;
  const s = r.scale;
  const lines = [
    `# Benchmark ${r.date.slice(0, 10)}${r.quick ? ' (quick run)' : ''}`,
    '',
    `${m.cores} cores (${m.cpu}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.platform}. Everything local: Temporal dev server (SQLite), embedded PostgreSQL, stripe-mock, an SMTP sink; the worker and the gateway as their own processes, driven over loopback.`,
    '',
    '## Latency and throughput',
    '',
    '| measure | rate asked (/s) | done (/s) | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|---|',
    row('floor: start + update (flat out)', r.floor.startAndUpdate, 'max'),
    ...r.floor.rates.map((x) => row('floor: update', x, String(x.ratePerSec))),
    ...r.booking.rates.map((x) => row('booking `POST /api/packs/:id/bookings`', x, String(x.ratePerSec))),
    row('order → paid (order, webhook, ACTIVE)', r.orderFlow, 'max'),
    row('read `GET /api/packs/:id`', r.reads.pack, 'max'),
    row('dashboard list `GET /admin`', r.reads.dashboard, 'max'),
    row(`dashboard list with ${s.openPacks}+ packs`, r.reads.dashboardAtScale, 'max'),
    '',
    `Booking p99 at 20/s is **×${r.booking.ratioToFloorP99At20}** the floor's update p99.`,
    '',
    '## Scale',
    '',
    '| measure | value |',
    '|---|---|',
    `| open paid packs (ACTIVE) / running pack workflows | ${s.openPacks} / ${s.runningWorkflows} |`,
    `| confirmed future sessions | ${s.futureSessions} |`,
    `| time to create them (order, payment, booking) | ${s.createSeconds} s (${s.createPerSec}/s, ${s.createErrors} errors) |`,
    `| worker RSS: peak / settled | ${mib(s.workerRssBytes)} / ${mib(s.workerRssSettledBytes)} |`,
    `| worker V8 heap used: peak / settled | ${mib(s.workerHeapPeakBytes)} / ${mib(s.workerHeapUsedBytes)} |`,
    `| PostgreSQL database / Temporal SQLite file | ${mib(s.postgresBytes)} / ${mib(s.temporalSqliteBytes)} |`,
    `| expiry burst: packs expiring at one instant | ${s.expiryBurst.packs} (validity ${s.expiryBurst.validitySeconds} s, created in ${s.expiryBurst.createSeconds} s${s.expiryBurst.createdBeforeInstant ? '' : ', **not all before the instant**'}) |`,
    `| … all EXPIRED with their email in the outbox after | **${s.expiryBurstSeconds} s** |`,
    `| … all those emails sent after | ${s.expiryBurst.emailsAllSentSeconds} s |`,
    '',
    '## Where the CPU goes (CPU seconds per phase)',
    '',
    ...cpuTable(r.cpuSeconds),
    '',
    '## Targets',
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...(r.targets ?? []).map((t) => `| ${t.name} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
  ];
  return lines.join('\n');
}

function cpuTable(c: BenchResult['cpuSeconds']): string[] {
  const parts = [...new Set(Object.values(c).flatMap((x) => Object.keys(x)))].filter((k) => k !== 'wallSeconds');
  return [
    `| phase | wall s | ${parts.join(' | ')} |`,
    `|---|---|${parts.map(() => '---').join('|')}|`,
    ...Object.entries(c).map(([phase, x]) => `| ${phase} | ${x.wallSeconds} | ${parts.map((p) => x[p] ?? 0).join(' | ')} |`),
  ];
}

/** Grouped bars: p50, p95, p99 of the floor's update and of the booking, at each fixed rate. */
export function svg(r: BenchResult): string {
  const groups: Array<{ label: string; v: [number, number, number] }> = [];
  for (const f of r.floor.rates) {
    const b = r.booking.rates.find((x) => x.ratePerSec === f.ratePerSec);
    groups.push({ label: `floor ${f.ratePerSec}/s`, v: [f.p50Ms, f.p95Ms, f.p99Ms] });
    if (b) groups.push({ label: `booking ${b.ratePerSec}/s`, v: [b.p50Ms, b.p95Ms, b.p99Ms] });
  }
  const W = 760;
  const H = 340;
  const left = 60;
  const bottom = 50;
  const top = 40;
  const max = Math.max(1, ...groups.flatMap((g) => g.v.filter(Number.isFinite)));
  const scale = (v: number) => ((H - bottom - top) * v) / max;
  const gw = (W - left - 20) / groups.length;
  const colors = ['#7fb3d5', '#2e86c1', '#1b4f72'];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">Update latency (ms): Temporal floor vs booking, ${r.date.slice(0, 10)}</text>`,
    `<line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}" stroke="#333"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    const y = H - bottom - scale(v);
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${W - 10}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${v.toFixed(0)}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const x0 = left + i * gw + gw * 0.15;
    const bw = (gw * 0.7) / 3;
    g.v.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      const h = scale(v);
      parts.push(
        `<rect x="${(x0 + j * bw).toFixed(1)}" y="${(H - bottom - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[j]}"><title>${g.label} p${[50, 95, 99][j]}: ${v} ms</title></rect>`,
      );
    });
    parts.push(`<text x="${(x0 + bw * 1.5).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${g.label}</text>`);
  });
  ['p50', 'p95', 'p99'].forEach((p, j) =>
    parts.push(
      `<rect x="${W - 170 + j * 55}" y="28" width="10" height="10" fill="${colors[j]}"/><text x="${W - 156 + j * 55}" y="37">${p}</text>`,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeReport(r: BenchResult, dir: string): string[] {
  r.targets = targetsOf(r);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, r.date.slice(0, 10));
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, `${markdown(r)}\n![latency percentiles](./${path.basename(base)}.svg)\n`);
  fs.writeFileSync(`${base}.svg`, svg(r));
  return [`${base}.json`, `${base}.md`, `${base}.svg`];
}
