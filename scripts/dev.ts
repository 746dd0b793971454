// `npm start`: the whole product on this machine. Every service that is not configured by the environment is
// started here on embedded defaults (data under .data/, or IMAGINASITE_DATA_DIR), then the worker and the gateway run
// as their own processes. Ctrl-C stops them all, the last started first (scripts/lib/supervisor.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../src/shared/search-attributes';
import { SAMPLE_SELLER_ENV } from '../src/infra/config';
import { hashPassword } from '../src/infra/passwords';
import { SmtpSink } from '../src/infra/smtp-sink';
import { assertPortFree, claimDataDir, leftoversOf, stopLeftovers } from './lib/leftovers';
import { ROOT, migrate, startPostgres, startStripeMock, startTemporalDevServer } from './lib/local-stack';
import { Supervisor, errorMessage, tsxCommand } from './lib/supervisor';

const DATA = path.resolve(process.env.IMAGINASITE_DATA_DIR || path.join(ROOT, '.data'));
const LOGS = path.join(DATA, 'logs');
const shown = (p: string) => (p.startsWith(ROOT + path.sep) ? path.relative(ROOT, p) : p);
// glibc gives every thread its own malloc arenas; the worker's many threads (Temporal's core, libuv) then kept about
// 100 MiB more resident memory than with two (measured by the benchmark, README "Performance").
const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', ...process.env };
const say = (m: string) => console.log(`[start] ${m}`);
const stack = new Supervisor({
  say,
  mark: DATA,
  onUnexpectedExit: (p, exit) => {
    console.error(`[start] ${p.name} stopped (${exit.signal ?? `exit ${exit.code}`}); stopping everything.`);
    void shutdown(1);
  },
});

function portFrom(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got '${v}'`);
  return n;
}

/** Local secrets are made once and kept in .data/ so magic links and the API token survive restarts. */
interface LocalSecrets {
  webhookSecret: string;
  providerToken: string;
  accessTokenSecret: string;
  /** The dashboard password of this local installation (production sets PROVIDER_PASSWORD_HASH). */
  providerPassword: string;
}
function localSecrets(): LocalSecrets {
  const file = path.join(DATA, 'local-secrets.json');
  const s: LocalSecrets = {
    webhookSecret: `whsec_${crypto.randomBytes(24).toString('hex')}`,
    providerToken: crypto.randomBytes(24).toString('base64url'),
    accessTokenSecret: crypto.randomBytes(32).toString('base64url'),
    providerPassword: crypto.randomBytes(9).toString('base64url'),
    ...(fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {}),
  };
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

let stopping: Promise<void> | undefined;
let releaseDataDir: () => void = () => undefined;
function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    say('stopping…');
    await stack.stopAll();
    releaseDataDir();
    say('stopped.');
    process.exit(code);
  })();
  return stopping;
}

function onStopSignals(): void {
  // A repeated signal changes nothing: tsx's CLI relays Ctrl-C a second time, and every stop is bounded anyway.
  // SIGHUP: the terminal was closed. Its output may be gone with it: writing there must not crash the stop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

async function main(): Promise<void> {
  onStopSignals();
  releaseDataDir = claimDataDir(DATA, 'npm start');
  const secrets = localSecrets();
  const ports = {
    pg: env.DATABASE_URL ? undefined : portFrom('EMBEDDED_PG_PORT', 54329),
    temporal: env.TEMPORAL_ADDRESS ? undefined : portFrom('TEMPORAL_DEV_PORT', 7233),
    ui: env.TEMPORAL_ADDRESS ? undefined : portFrom('TEMPORAL_UI_PORT', 8233),
    smtp: env.SMTP_URL ? undefined : portFrom('SMTP_SINK_PORT', 2525),
    stripe: env.STRIPE_SECRET_KEY ? undefined : portFrom('STRIPE_MOCK_PORT', 12111),
    gateway: portFrom('PORT', 3000),
  };
  // What an earlier start on this folder left running (it was killed with everything around it) is stopped first.
  const leftovers = leftoversOf({
    mark: DATA,
    pgDataDir: path.join(DATA, 'postgres'),
    temporalDb: path.join(DATA, 'temporal.sqlite'),
    ports: Object.values(ports).filter((p) => p !== undefined),
  });
  await stopLeftovers(leftovers, say);
  const wanted: Array<[number | undefined, string, string]> = [
    [ports.pg, 'PostgreSQL', 'EMBEDDED_PG_PORT'],
    [ports.temporal, 'the Temporal dev server', 'TEMPORAL_DEV_PORT'],
    [ports.ui, "Temporal's Web UI", 'TEMPORAL_UI_PORT'],
    [ports.smtp, 'the SMTP sink', 'SMTP_SINK_PORT'],
    [ports.stripe, 'stripe-mock', 'STRIPE_MOCK_PORT'],
    [ports.gateway, 'the gateway', 'PORT'],
  ];
  for (const [port, what, variable] of wanted) if (port !== undefined) await assertPortFree(port, what, variable);

  if (ports.pg !== undefined) {
    const dataDir = path.join(DATA, 'postgres');
    say(`PostgreSQL (embedded) on 127.0.0.1:${ports.pg}, data in ${shown(dataDir)}`);
    const pg = await startPostgres({ dataDir, port: ports.pg, log: path.join(LOGS, 'postgres.log'), supervisor: stack });
    await pg.createDatabase('imaginasite');
    env.DATABASE_URL = pg.url('imaginasite');
  }
  say('applying database migrations…');
  await migrate(env.DATABASE_URL!, stack);

  if (ports.temporal !== undefined) {
    const dbFile = path.join(DATA, 'temporal.sqlite');
    say(`Temporal dev server on 127.0.0.1:${ports.temporal} (Web UI ${ports.ui}), history in ${shown(dbFile)}`);
    const temporal = await startTemporalDevServer({
      port: ports.temporal,
      uiPort: ports.ui,
      dbFile,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: path.join(LOGS, 'temporal.log'),
      supervisor: stack,
    });
    env.TEMPORAL_ADDRESS = temporal.address;
    env.TEMPORAL_UI_URL ||= temporal.uiUrl;
  }

  if (ports.smtp !== undefined) {
    const dir = path.join(DATA, 'mail');
    const sink = await new SmtpSink({ dir }).start(ports.smtp);
    stack.add('smtp-sink', () => sink.stop());
    env.SMTP_URL = sink.url;
    say(`SMTP sink on ${sink.url}: every email is kept in ${shown(dir)}/*.eml`);
  }

  if (ports.stripe !== undefined) {
    const mock = await startStripeMock({ port: ports.stripe, log: path.join(LOGS, 'stripe-mock.log'), supervisor: stack });
    env.STRIPE_SECRET_KEY = 'sk_test_localstripemock'; // stripe-mock accepts any well-formed test key
    env.STRIPE_API_URL = mock.url;
    say(`stripe-mock on ${mock.url} (no real payment is taken)`);
  }
  env.STRIPE_WEBHOOK_SECRET ||= secrets.webhookSecret;
  env.PROVIDER_API_TOKEN ||= secrets.providerToken;
  env.ACCESS_TOKEN_SECRET ||= secrets.accessTokenSecret;
  env.PROVIDER_PASSWORD_HASH ||= hashPassword(secrets.providerPassword);
  // The local gateway answers this machine only (set LISTEN_HOST=0.0.0.0 to show it to the network on purpose).
  env.LISTEN_HOST ||= '127.0.0.1';
  // The seller's identity is the law's (legal pages, contract, invoices): a local run gets an obvious sample, and says so.
  const sampleSeller = Object.keys(SAMPLE_SELLER_ENV).filter((k) => !env[k]);
  for (const k of sampleSeller) env[k] = SAMPLE_SELLER_ENV[k];

  // SIGINT, as Ctrl-C did when they shared the terminal: the worker drains its tasks, the gateway its requests.
  const program = { env, echo: true, stopSignal: 'SIGINT', graceMs: 10_000, readyTimeoutMs: 120_000 } as const;
  await Promise.all([
    stack.start({ name: 'worker', ...tsxCommand('src/worker/main.ts'), ...program, ready: 'polling task queue' }),
    stack.start({ name: 'gateway', ...tsxCommand('src/gateway/main.ts'), ...program, ready: { port: ports.gateway } }),
  ]);
  const publicUrl = env.PUBLIC_URL || `http://localhost:${ports.gateway}`;
  console.log(`
  imaginasite is running.
    Web site and order form     : ${publicUrl}/
    Client portal               : ${publicUrl}/espace (magic links arrive in ${shown(path.join(DATA, 'mail'))}/)
    Provider dashboard          : ${publicUrl}/admin — password and API token in ${shown(path.join(DATA, 'local-secrets.json'))}
    Health                      : ${publicUrl}/health
    Temporal Web UI             : ${env.TEMPORAL_UI_URL ?? '(external Temporal: see its own UI)'}
  Ctrl-C stops everything.
`);
  if (sampleSeller.length > 0) {
    console.log(`  SAMPLE SELLER: ${sampleSeller.join(', ')} are sample values (« ${SAMPLE_SELLER_ENV.SELLER_NAME} »).
  Set them to the real seller, host and mediator before selling: they appear on the legal pages, the CGV and the invoices.
`);
  }
}

main().catch(async (err: unknown) => {
  console.error(`[start] ${errorMessage(err)}`);
  await shutdown(1);
});
