// `npm run bench`: measures the product against Temporal's own floor on this machine (README "Performance").
// Options: --packs N (scale phase, default 10000), --quick (a short run with small numbers, written to .data/bench),
// --concurrency N (workers of the flat-out phases, default 32), --seconds S (length of each fixed-rate run, default 15).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { ping } from './floor/workflows';
import { cpuBetween, cpuSnapshot } from './cpu';
import { atRate, flatOut, type Summary } from './load';
import { OPEN_ALL_THE_TIME, PaidWatcher, Product, Slots, type Order } from './product';
import { writeReport, type BenchResult } from './report';
import { startBenchStack, type BenchStack } from './stack';
import { ROOT } from '../lib/local-stack';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number`);
  return n;
}
const quick = process.argv.includes('--quick');
const PACKS = option('packs', quick ? 300 : 10_000);
const CONCURRENCY = option('concurrency', 32);
const SECONDS = option('seconds', quick ? 5 : 15);
const RATES = [10, 20, 50];
const t0 = Date.now();
const say = (m: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (name: string, s: Summary) =>
  say(
    `${name.padEnd(34)} ${String(s.perSec).padStart(7)}/s  p50 ${s.p50Ms} ms  p95 ${s.p95Ms} ms  p99 ${s.p99Ms} ms  errors ${s.errors}${s.errors ? ` ${JSON.stringify(s.errorCodes)}` : ''}`,
  );

/** Waits until `check` is true, polling every `everyMs`; false if `timeoutMs` passes first. */
async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

async function count(db: Pool, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
}

/** CPU seconds spent by each part of the stack, per phase of the run. */
const cpu: Record<string, Record<string, number>> = {};
const roles = new Map<number, string>([[process.pid, 'load generator']]);
async function measured<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const before = cpuSnapshot(roles);
  const wall = Date.now();
  try {
    return await fn();
  } finally {
    const used = cpuBetween(before, cpuSnapshot(roles));
    cpu[phase] = { wallSeconds: Math.round((Date.now() - wall) / 100) / 10, ...used };
    say(
      `   CPU s in ${phase} (${cpu[phase].wallSeconds} s): ${Object.entries(used)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
}

// ------------------------------------------------------------------------------------------------- 1. floor

async function floor(stack: BenchStack, temporal: Client) {
  const start = (id: string) => temporal.workflow.start('floorWorkflow', { taskQueue: stack.floorTaskQueue, workflowId: id });
  // Warm-up, not counted: the worker's first workflow tasks load its bundle.
  await flatOut({
    concurrency: 8,
    durationS: 60,
    maxOps: 100,
    task: async (i) => void (await (await start(`floor-warm-${i}`)).executeUpdate(ping, { args: ['x'] })),
  });
  const startAndUpdate = await flatOut({
    concurrency: CONCURRENCY,
    durationS: SECONDS,
    task: async (i) => void (await (await start(`floor-su-${i}`)).executeUpdate(ping, { args: ['x'] })),
  });
  line('floor: start + update, flat out', startAndUpdate);
  const rates: Array<Summary & { ratePerSec: number }> = [];
  for (const ratePerSec of RATES) {
    const durationS = Math.min(SECONDS, 480 / ratePerSec); // within the worker's cache, like the packs below
    const n = Math.round(ratePerSec * durationS);
    const handles = await Promise.all(Array.from({ length: n }, (_, i) => start(`floor-${ratePerSec}-${i}`)));
    await sleep(2000); // their first workflow task done: the updates meet running, idle workflows
    const s = await atRate({ ratePerSec, durationS, task: async (i) => void (await handles[i].executeUpdate(ping, { args: ['x'] })) });
    line(`floor: update at ${ratePerSec}/s`, s);
    rates.push({ ratePerSec, ...s });
  }
  const at20 = rates.find((r) => r.ratePerSec === 20)!;
  return { startAndUpdate, rates, updateP50Ms: at20.p50Ms, updateP95Ms: at20.p95Ms, updateP99Ms: at20.p99Ms };
}

// ------------------------------------------------------------------------------------------------- helpers

/** An order paid by card through Stripe's webhook, returned once the pack is ACTIVE. */
async function orderToPaid(product: Product, watcher: PaidWatcher, tag: string, quantity = 1, created?: number): Promise<Order> {
  const order = await product.order(tag, quantity);
  const paid = watcher.paid(order.packId);
  await product.pay(order, created);
  await paid;
  return order;
}

// ------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  say(
    `imaginasite benchmark${quick ? ' (quick)' : ''}: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  const stack = await startBenchStack(say);
  const db = new Pool({ connectionString: stack.databaseUrl, max: 4 });
  const watcher = new PaidWatcher(db);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection, namespace: 'default' });
  const product = new Product(stack.gatewayUrl, stack);
  roles.set(stack.worker.pid, 'worker').set(stack.gateway.pid, 'gateway').set(stack.floorWorker.pid, 'floor worker');
  try {
    await product.loadCatalog();
    await product.setAvailability(OPEN_ALL_THE_TIME);
    const slots = new Slots();

    say('1. floor: a workflow that answers one update, no activity');
    const floorResult = await measured('floor', () => floor(stack, temporal));

    say('2. booking: POST /api/packs/:id/bookings on paid packs');
    const perRate = RATES.map((r) => Math.round(r * SECONDS));
    const flatOutMax = quick ? 200 : 1500;
    const needed = perRate.reduce((a, b) => a + b, 0) + flatOutMax + 50;
    const packsForBooking = Math.ceil(needed / 10);
    const bookingPacks: Order[] = [];
    const prep = await flatOut({
      concurrency: CONCURRENCY,
      durationS: 600,
      maxOps: packsForBooking,
      task: async (i) => void bookingPacks.push(await orderToPaid(product, watcher, `b${i}`, 10)),
    });
    say(`   ${bookingPacks.length} packs of 10 hours ready (${prep.errors} errors)`);
    const left = new Map(bookingPacks.map((o) => [o.packId, 10]));
    let cursor = 0;
    const nextBooking = (): [Order, string] => {
      for (let k = 0; k < bookingPacks.length; k++) {
        const o = bookingPacks[cursor++ % bookingPacks.length];
        if (left.get(o.packId)! > 0) {
          left.set(o.packId, left.get(o.packId)! - 1);
          return [o, slots.take()];
        }
      }
      throw new Error('no hours left for bookings');
    };
    const book = async () => void (await product.book(...nextBooking()));
    await flatOut({ concurrency: 4, durationS: 30, maxOps: 40, task: book }); // warm-up, not counted
    const bookingRates: Array<Summary & { ratePerSec: number | 'max' }> = [];
    for (const ratePerSec of RATES) {
      const s = await measured(`booking ${ratePerSec}/s`, () => atRate({ ratePerSec, durationS: SECONDS, task: book }));
      line(`booking at ${ratePerSec}/s`, s);
      bookingRates.push({ ratePerSec, ...s });
    }
    const maxBooking = await measured('booking flat out', () =>
      flatOut({ concurrency: CONCURRENCY, durationS: SECONDS, maxOps: flatOutMax, task: book }),
    );
    line(`booking flat out (${CONCURRENCY} at once)`, maxBooking);
    bookingRates.push({ ratePerSec: 'max', ...maxBooking });
    const booking20 = bookingRates.find((r) => r.ratePerSec === 20)!;

    say('3. order to paid: POST /api/orders, then the signed webhook, until the pack is ACTIVE');
    const orderFlow = await measured('order flow', () =>
      flatOut({
        concurrency: CONCURRENCY,
        durationS: quick ? 10 : 30,
        task: async (i) => void (await orderToPaid(product, watcher, `o${i}`)),
      }),
    );
    line(`order → paid (${CONCURRENCY} at once)`, orderFlow);

    say('4. reads');
    const packRead = await flatOut({
      concurrency: 16,
      durationS: SECONDS,
      task: async (i) => void (await product.readPack(bookingPacks[i % bookingPacks.length])),
    });
    line('GET /api/packs/:id', packRead);
    const cookie = await product.login();
    const dashboard = await flatOut({ concurrency: 8, durationS: SECONDS, task: async () => product.dashboard(cookie) });
    line('GET /admin (dashboard list)', dashboard);

    say(`5. scale: ${PACKS} open paid packs, each with a future session`);
    const scaleStart = Date.now();
    let created = 0;
    const progress = setInterval(() => say(`   ${created} packs, worker RSS ${(stack.worker.rssNow() / 2 ** 20).toFixed(0)} MiB`), 15_000);
    const scaleRun = await measured('scale: creation', () =>
      flatOut({
        concurrency: CONCURRENCY,
        durationS: 3600,
        maxOps: PACKS,
        task: async (i) => {
          const order = await orderToPaid(product, watcher, `s${i}`);
          await product.book(order, slots.take());
          created++;
        },
      }),
    );
    clearInterval(progress);
    const createSeconds = (Date.now() - scaleStart) / 1000;
    say(`   created ${scaleRun.ok} packs in ${createSeconds.toFixed(0)} s (${scaleRun.errors} errors)`);
    await until(async () => (await count(db, `SELECT count(*) AS n FROM outbox_email WHERE status = 'PENDING'`)) === 0, 300_000);
    await sleep(5000);
    const openPacks = await count(db, `SELECT count(*) AS n FROM pack WHERE status = 'ACTIVE'`);
    const futureSessions = await count(db, `SELECT count(*) AS n FROM booking WHERE status = 'CONFIRMED' AND "start" > now()`).catch(
      () => NaN,
    );
    const runningWorkflows = (await temporal.workflow.count(`WorkflowType = 'packWorkflow' AND ExecutionStatus = 'Running'`)).count;
    const rssSettled = stack.worker.rssNow();
    const scalePeak = stack.worker.peakSince(scaleStart);
    const lastSample = stack.worker.memory[stack.worker.memory.length - 1];
    const dbBytes = await count(db, `SELECT pg_database_size(current_database()) AS n`);
    const temporalDbBytes = fs.statSync(path.join(stack.dir, 'temporal.sqlite')).size;
    say(
      `   ${openPacks} ACTIVE packs, ${runningWorkflows} running workflows; worker RSS ${(rssSettled / 2 ** 20).toFixed(0)} MiB (peak ${(scalePeak.rss / 2 ** 20).toFixed(0)}), heap ${(lastSample.heapUsed / 2 ** 20).toFixed(0)} MiB; PostgreSQL ${(dbBytes / 2 ** 20).toFixed(0)} MiB`,
    );

    const readsAtScale = await flatOut({ concurrency: 8, durationS: SECONDS, task: async () => product.dashboard(cookie) });
    line(`GET /admin with ${openPacks + bookingPacks.length}+ packs`, readsAtScale);

    say(`   expiry burst: ${PACKS} more packs whose validity ends at one same instant`);
    const estimate = PACKS / Math.max(orderFlow.perSec, 1);
    const validityS = Math.max(120, Math.ceil((estimate * 1.3 + 45) / 60) * 60);
    const burstGateway = await stack.startGateway('gateway-burst', { PACK_VALIDITY: `${validityS}s` });
    roles.set(burstGateway.program.pid, 'gateway');
    const burstProduct = new Product(burstGateway.url, stack);
    await burstProduct.loadCatalog();
    const paidAt = Math.floor(Date.now() / 1000);
    const dueMs = (paidAt + validityS) * 1000;
    say(`   validity ${validityS} s: all expire at ${new Date(dueMs).toISOString()}`);
    const burstStart = Date.now();
    const burstRun = await flatOut({
      concurrency: CONCURRENCY,
      durationS: 3600,
      maxOps: PACKS,
      task: async (i) => void (await orderToPaid(burstProduct, watcher, `x${i}`, 1, paidAt)),
    });
    const burstCreateS = (Date.now() - burstStart) / 1000;
    say(
      `   created in ${burstCreateS.toFixed(0)} s (${burstRun.errors} errors)${Date.now() > dueMs ? ' — AFTER the expiry instant: the burst overlaps the creation' : ''}`,
    );
    await sleep(Math.max(0, dueMs - Date.now()));
    say('   expiry instant reached');
    const expected = burstRun.ok;
    const expired = () => count(db, `SELECT count(*) AS n FROM pack WHERE status = 'EXPIRED'`);
    const queued = () => count(db, `SELECT count(*) AS n FROM outbox_email WHERE template = 'PACK_ENDED_EXPIRED'`);
    const sent = () => count(db, `SELECT count(*) AS n FROM outbox_email WHERE template = 'PACK_ENDED_EXPIRED' AND status = 'SENT'`);
    let expiredAt = NaN;
    const curve: Array<{ s: number; expired: number }> = [];
    const done = await measured('expiry burst', () =>
      until(async () => {
        const [e, q] = [await expired(), await queued()];
        curve.push({ s: Math.round((Date.now() - dueMs) / 1000), expired: e });
        if (curve.length % 15 === 0) say(`   +${curve[curve.length - 1].s} s: ${e} expired, ${q} emails queued`);
        if (e >= expected && q >= expected && Number.isNaN(expiredAt)) expiredAt = Date.now();
        return !Number.isNaN(expiredAt);
      }, 900_000),
    );
    const expiryBurstSeconds = done ? Math.round((expiredAt - dueMs) / 100) / 10 : NaN;
    await until(async () => (await sent()) >= expected, 600_000);
    const allSentSeconds = Math.round((Date.now() - dueMs) / 100) / 10;
    const burstPeak = stack.worker.peakSince(dueMs);
    say(
      `   all ${expected} EXPIRED with their email queued ${expiryBurstSeconds} s after the instant; emails all sent after ${allSentSeconds} s; worker peak RSS ${(burstPeak.rss / 2 ** 20).toFixed(0)} MiB`,
    );

    const scalePeakAll = stack.worker.peakSince(scaleStart);
    const result: BenchResult = {
      date: new Date().toISOString(),
      quick,
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? '',
        memoryBytes: os.totalmem(),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      settings: {
        concurrency: CONCURRENCY,
        secondsPerRate: SECONDS,
        worker: {
          maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 500),
          maxConcurrentWorkflowTasks: Number(process.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? 40),
          maxConcurrentActivities: Number(process.env.WORKER_MAX_CONCURRENT_ACTIVITIES ?? 40),
        },
        temporal: 'dev server (temporal CLI), SQLite file',
      },
      cpuSeconds: cpu,
      floor: floorResult,
      booking: { rates: bookingRates, ratioToFloorP99At20: Math.round((booking20.p99Ms / floorResult.updateP99Ms) * 100) / 100 },
      orderFlow: { ...orderFlow, concurrency: CONCURRENCY },
      reads: { perSec: packRead.perSec, pack: packRead, dashboard, dashboardAtScale: readsAtScale },
      scale: {
        openPacks,
        futureSessions,
        runningWorkflows,
        createSeconds: Math.round(createSeconds),
        createPerSec: Math.round((scaleRun.ok / createSeconds) * 10) / 10,
        createErrors: scaleRun.errors,
        workerRssBytes: scalePeakAll.rss,
        workerRssSettledBytes: rssSettled,
        workerHeapUsedBytes: lastSample.heapUsed,
        workerHeapPeakBytes: scalePeakAll.heapUsed,
        postgresBytes: dbBytes,
        temporalSqliteBytes: temporalDbBytes,
        expiryBurst: {
          packs: expected,
          validitySeconds: validityS,
          createSeconds: Math.round(burstCreateS),
          createdBeforeInstant: burstStart + burstCreateS * 1000 <= dueMs,
          emailsAllSentSeconds: allSentSeconds,
          curve,
        },
        expiryBurstSeconds,
      },
    };
    const out = quick ? path.join(ROOT, '.data', 'bench') : path.join(ROOT, 'bench', 'results');
    const files = writeReport(result, out);
    say(`results: ${files.map((f) => path.relative(ROOT, f)).join(', ')}`);
    const targets = result.targets!;
    for (const t of targets) say(`${t.met ? 'MET    ' : 'MISSED '} ${t.name}: ${t.measured}`);
  } finally {
    watcher.stop();
    await connection.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`[bench] ${err instanceof Error ? err.stack : err}`);
    process.exit(1);
  },
);
