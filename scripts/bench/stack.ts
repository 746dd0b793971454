// The benchmark's own stack, fresh for each run under .data/bench/: embedded PostgreSQL, the Temporal dev server
// (SQLite file, as `npm start` runs it), stripe-mock, an SMTP server that accepts and counts, then the product's
// worker and gateway as their own processes, exactly as `npm start` runs them, plus the floor's worker.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { SAMPLE_SELLER_ENV } from '../../src/infra/config';
import { hashPassword } from '../../src/infra/passwords';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { leftoversOf, stopLeftovers } from '../lib/leftovers';
import { ROOT, freePort, migrate, startPostgres, startStripeMock, startTemporalDevServer } from '../lib/local-stack';
import { Supervisor, tsxCommand, type ManagedProcess, type Ready } from '../lib/supervisor';

export interface MemorySample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** One of the product's programs, run by the benchmark: its process, its memory as it reports it, its log. */
export class Program {
  readonly memory: MemorySample[] = [];
  private constructor(private readonly process: ManagedProcess) {
    process.child.on('message', (m: { type?: string } & MemorySample) => {
      if (m?.type === 'memory')
        this.memory.push({ at: m.at, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external });
    });
  }

  static async start(
    supervisor: Supervisor,
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    ready: Ready,
    logDir: string,
  ): Promise<Program> {
    // BENCH_CPU_PROF=1: each program writes a V8 CPU profile (all its threads) to .data/bench/profiles when it stops.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(logDir, '..', 'profiles')] : [];
    const started = await supervisor.start({
      name,
      ...tsxCommand(script, [], [...prof, '--require', path.join(__dirname, 'memory-probe.cjs')]),
      env: { ...process.env, ...env },
      log: path.join(logDir, `${name}.log`),
      ready,
      readyTimeoutMs: 180_000,
      ipc: true, // the memory probe reports through it
      stopSignal: 'SIGINT',
      graceMs: 20_000,
    });
    // Its reports before it was ready are not needed: every figure is taken after the start.
    return new Program(started);
  }

  get child(): ChildProcess {
    return this.process.child;
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Resident memory now, from the kernel (bytes). */
  rssNow(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  /** Peak memory since `fromMs` (the process's own reports). */
  peakSince(fromMs: number): { rss: number; heapUsed: number } {
    const xs = this.memory.filter((m) => m.at >= fromMs);
    return { rss: Math.max(0, ...xs.map((m) => m.rss)), heapUsed: Math.max(0, ...xs.map((m) => m.heapUsed)) };
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** Accepts every email and only counts it: the benchmark needs delivery to work, not the messages. */
class CountingSmtp {
  received = 0;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        this.received++;
        callback();
      });
    },
  });
  port = 0;
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface BenchStack {
  dir: string;
  databaseUrl: string;
  temporalAddress: string;
  smtp: CountingSmtp;
  /** Environment shared by the worker and the gateway. */
  env: NodeJS.ProcessEnv;
  providerToken: string;
  providerPassword: string;
  webhookSecret: string;
  worker: Program;
  gateway: Program;
  gatewayUrl: string;
  floorWorker: Program;
  floorTaskQueue: string;
  /** Another gateway on the same stack with extra settings (the expiry burst's short validity). */
  startGateway(name: string, extra: NodeJS.ProcessEnv): Promise<{ program: Program; url: string }>;
  stop(): Promise<void>;
}

export async function startBenchStack(say: (m: string) => void): Promise<BenchStack> {
  const dir = path.join(ROOT, '.data', 'bench');
  // A run that was killed with its lifeline left its stack running on this folder.
  await stopLeftovers(
    leftoversOf({ mark: dir, pgDataDir: path.join(dir, 'postgres'), temporalDb: path.join(dir, 'temporal.sqlite') }),
    say,
  );
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  // Stopped the last started first: the gateways, the workers, then the servers they use.
  const supervisor = new Supervisor({ mark: dir });
  try {
    const pg = await startPostgres({
      dataDir: path.join(dir, 'postgres'),
      port: await freePort(),
      log: path.join(logs, 'postgres.log'),
      supervisor,
    });
    await pg.createDatabase('bench');
    const databaseUrl = pg.url('bench');
    await migrate(databaseUrl, supervisor);
    say(`PostgreSQL on ${pg.port}`);

    const temporal = await startTemporalDevServer({
      port: await freePort(),
      dbFile: path.join(dir, 'temporal.sqlite'),
      namespace: 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: path.join(logs, 'temporal.log'),
      supervisor,
    });
    say(`Temporal dev server on ${temporal.address} (SQLite)`);

    const stripe = await startStripeMock({ port: await freePort(), log: path.join(logs, 'stripe-mock.log'), supervisor });
    const smtp = await new CountingSmtp().start();
    supervisor.add('smtp', () => smtp.stop());

    const providerToken = crypto.randomBytes(24).toString('base64url');
    const providerPassword = crypto.randomBytes(12).toString('base64url');
    const webhookSecret = `whsec_${crypto.randomBytes(24).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', // as `npm start` runs the programs (scripts/dev.ts)
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      STRIPE_SECRET_KEY: 'sk_test_localstripemock',
      STRIPE_API_URL: stripe.url,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      PROVIDER_API_TOKEN: providerToken,
      PROVIDER_PASSWORD_HASH: hashPassword(providerPassword),
      ACCESS_TOKEN_SECRET: crypto.randomBytes(32).toString('base64url'),
      // One client address drives the whole load: the per-address limits would refuse it.
      RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
      RATE_LIMIT_BOOKINGS_PER_MINUTE: '1000000',
      // 10,000 one-hour sessions in one calendar need more than the 3 months of the CGV: the benchmark sells 24.
      PACK_VALIDITY_MONTHS: '24',
      ...SAMPLE_SELLER_ENV,
    };

    const worker = await Program.start(supervisor, 'worker', 'src/worker/main.ts', env, 'polling task queue', logs);
    say(`worker pid ${worker.pid}`);
    const floorTaskQueue = 'bench-floor';
    const floorWorker = await Program.start(
      supervisor,
      'floor-worker',
      'scripts/bench/floor/worker.ts',
      { ...env, FLOOR_TASK_QUEUE: floorTaskQueue },
      'floor worker ready',
      logs,
    );

    const startGateway = async (name: string, extra: NodeJS.ProcessEnv) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const program = await Program.start(
        supervisor,
        name,
        'src/gateway/main.ts',
        { ...env, ...extra, PORT: String(port), PUBLIC_URL: url },
        { port },
        logs,
      );
      return { program, url };
    };
    const { program: gateway, url: gatewayUrl } = await startGateway('gateway', {});
    say(`gateway on ${gatewayUrl}`);

    return {
      dir,
      databaseUrl,
      temporalAddress: temporal.address,
      smtp,
      env,
      providerToken,
      providerPassword,
      webhookSecret,
      worker,
      gateway,
      gatewayUrl,
      floorWorker,
      floorTaskQueue,
      startGateway,
      stop: () => supervisor.stopAll(),
    };
  } catch (err) {
    await supervisor.stopAll();
    throw err;
  }
}
